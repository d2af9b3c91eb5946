"""Anomaly detection: remember where each node was created, and fail on NaN gradients."""
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]


class _AnomalyState:
    __slots__ = ("enabled", "check_nan")


ANOMALY = _AnomalyState()
ANOMALY.enabled = False
ANOMALY.check_nan = True


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return ANOMALY.enabled


def is_anomaly_check_nan_enabled():
    """True while anomaly detection also checks gradients for NaN."""
    return ANOMALY.check_nan


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on inside its block."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self.previous = (False, True)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self.previous = (ANOMALY.enabled, ANOMALY.check_nan)
        ANOMALY.enabled = True
        ANOMALY.check_nan = self.check_nan

    def __exit__(self, *exc):
        ANOMALY.enabled, ANOMALY.check_nan = self.previous

    def __call__(self, function):
        def decorated(*args, **kwargs):
            with self.__class__(self.check_nan):
                return function(*args, **kwargs)
        return decorated


class set_detect_anomaly:
    """Turns anomaly detection on or off; usable as a function or a context manager."""

    def __init__(self, mode, check_nan=True):
        self.previous = (ANOMALY.enabled, ANOMALY.check_nan)
        ANOMALY.enabled = bool(mode)
        ANOMALY.check_nan = check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        ANOMALY.enabled, ANOMALY.check_nan = self.previous


def remember_forward(node):
    """Stores the forward call's stack on a new node (only while anomaly detection is on)."""
    import traceback
    # in the user-visible metadata dict, where PyTorch keeps it
    node.metadata["traceback_"] = traceback.format_stack()[:-3]


def check_gradients(node, grad_inputs):
    """Raises PyTorch's error when a node produced NaN gradients, after warning with the stack
    of the forward call that created it."""
    if not ANOMALY.check_nan:
        return
    import numpy as np
    for position, grad in enumerate(grad_inputs):
        if grad is not None and np.isnan(grad._data).any():
            stack = node.metadata.get("traceback_")
            if stack:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that "
                              f"caused the error:\n{''.join(stack)}", UserWarning, stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                               f"{position}th output.")
