"""ember.distributed: ember runs in one process, with no process groups. Scripts that check for
a distributed run before using one (`is_available() and is_initialized()`) take the
single-process path; asking for a rank or a barrier raises PyTorch's uninitialised-group
error."""

__all__ = ["is_available", "is_initialized", "is_torchelastic_launched", "get_rank",
           "get_world_size", "barrier"]

_NO_PROCESS_GROUP = ("Default process group has not been initialized, please make sure to call "
                     "init_process_group.")


def is_available():
    """False: ember has no distributed backend."""
    return False


def is_initialized():
    """False: no process group exists."""
    return False


def is_torchelastic_launched():
    """False: not started by torchrun."""
    return False


def get_rank(group=None):
    """Raises PyTorch's error: there is no process group."""
    raise ValueError(_NO_PROCESS_GROUP)


def get_world_size(group=None):
    """Raises PyTorch's error: there is no process group."""
    raise ValueError(_NO_PROCESS_GROUP)


def barrier(group=None, async_op=False, device_ids=None):
    """Raises PyTorch's error: there is no process group."""
    raise ValueError(_NO_PROCESS_GROUP)
