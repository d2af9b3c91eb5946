"""ember.device: ember computes on the CPU only; other device types are named but unavailable."""

from ember._errors import parser_type_name

__all__ = ["device"]

_KNOWN_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")
_NO_ACCELERATOR = "Cannot access accelerator device when none is available."


class device:
    """A device description, as torch.device."""

    __module__ = "ember"
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type = type.type
            self.index = type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            if type < 0:
                raise RuntimeError("Device index must not be negative")
            # a bare index names the current accelerator, and ember has none
            raise RuntimeError(_NO_ACCELERATOR)
        if not isinstance(type, str):
            raise TypeError(
                "device() received an invalid combination of arguments - got "
                f"({parser_type_name(type)}), but expected one of:\n * (torch.device device)\n"
                "      didn't match because some of the arguments have invalid types: "
                f"(!{parser_type_name(type)}!)\n * (str type, int index = -1)\n")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError("device(): argument 'index' (position 2) must be int, not "
                            f"{parser_type_name(index)}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        if not type:
            raise RuntimeError("Device string must not be empty")
        name, colon, number = type.partition(":")
        # c10 checks the string's shape before looking the type up: a name of ASCII letters and
        # underscores ("float32" is not one), then an index of decimal digits without a leading
        # zero ("cuda:0", "cuda:12", not "cuda:01")
        valid_name = name != "" and all(character == "_" or (character.isascii()
                                                              and character.isalpha())
                                        for character in name)
        valid_index = not colon or (number.isascii() and number.isdigit()
                                    and (number == "0" or number[0] != "0"))
        if not (valid_name and valid_index):
            raise RuntimeError(f"Invalid device string: '{type}'")
        if name not in _KNOWN_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start "
                               f"of device string: {type}")
        if colon and index is not None:
            raise RuntimeError("type (string) must not include an index because index was "
                               f"passed explicitly: {type}")
        self.type = name
        self.index = int(number) if colon else index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # as torch: a device never equals a string, and cpu != cpu:0
        if not isinstance(other, device):
            return False
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def check_device(requested):
    """Accepts None or the CPU; raises PyTorch's (CPU-only build) error for any other device."""
    if requested is None or requested is CPU or requested == "cpu":
        return
    requested = device(requested)
    if requested.type == "cpu":
        return
    if requested.type in ("cuda", "xpu"):
        raise AssertionError(f"Torch not compiled with {requested.type.upper()} enabled")
    if requested.type == "meta":
        # torch has meta tensors (shapes without data); ember always computes values
        raise RuntimeError("Device type META is not supported by ember, which computes on the "
                           "CPU only")
    # what torch's CPU-only build says when a tensor is sent to a backend it was built without
    raise RuntimeError(f"PyTorch is not linked with support for {requested.type} devices")
