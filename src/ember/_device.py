"""ember.device: ember computes on the CPU only; other device types are named but unavailable."""

__all__ = ["device"]

_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hpu", "xla", "mtia", "privateuseone")


class device:
    """A device description, as torch.device."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type = type.type
            self.index = type.index
            return
        if isinstance(type, int) and index is None:
            self.type = "cuda"
            self.index = type
            return
        name, _, number = str(type).partition(":")
        if name not in _KNOWN_TYPES:
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                "fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device "
                f"type at start of device string: {type}")
        self.type = name
        self.index = int(number) if number else index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(requested):
    """Accepts None or the CPU; raises PyTorch's error for a device ember cannot reach."""
    if requested is None or requested is CPU or requested == "cpu":
        return
    requested = device(requested)
    if requested.type == "cpu":
        return
    if requested.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    raise RuntimeError(f"Device type {requested.type.upper()} is not supported by ember, "
                       "which computes on the CPU only")
