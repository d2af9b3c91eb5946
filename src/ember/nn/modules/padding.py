"""Padding layers: constant/zero, reflection, replication and circular, 1-d to 3-d."""
from ember.nn._functional.padding import pad
from ember.nn.modules.module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _ntuple(value, count):
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * count


class _PadNd(Module):
    __constants__ = ["padding"]
    _mode = "constant"
    _count = 2

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, self._count)

    def forward(self, input):
        return pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with a constant."""


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims with a constant."""

    _count = 4


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims with a constant."""

    _count = 6


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last 2 dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pads the last 3 dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pads the last dim with its reflection (edge not repeated)."""

    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pads the last 2 dims by reflection."""

    _mode = "reflect"
    _count = 4


class ReflectionPad3d(_PadNd):
    """Pads the last 3 dims by reflection."""

    _mode = "reflect"
    _count = 6


class ReplicationPad1d(_PadNd):
    """Pads the last dim by repeating its edge values."""

    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pads the last 2 dims by replication."""

    _mode = "replicate"
    _count = 4


class ReplicationPad3d(_PadNd):
    """Pads the last 3 dims by replication."""

    _mode = "replicate"
    _count = 6


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input):
        dims = self._count // 2
        if input.dim() not in (dims + 1, dims + 2):
            raise ValueError(f"expected {dims + 1}D or {dims + 2}D input (got {input.dim()}D "
                             "input)")
        return pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """Pads the last dim by wrapping around."""


class CircularPad2d(_CircularPadNd):
    """Pads the last 2 dims by wrapping around."""

    _count = 4


class CircularPad3d(_CircularPadNd):
    """Pads the last 3 dims by wrapping around."""

    _count = 6
