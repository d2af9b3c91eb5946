"""Named results of multi-output ops (max with dim, sort, topk...), as torch.return_types:
tuples whose fields are also attributes and whose repr names the op."""
from ember._dtype import DISPLAYED

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax",
           "cummin", "aminmax"]


class StructSequence(tuple):
    """A tuple with named fields, printed as torch.return_types.<op>(field=..., ...) is (torch's
    structseq)."""

    __slots__ = ()
    _fields = ()
    n_fields = 2
    n_sequence_fields = 2
    n_unnamed_fields = 0

    def __new__(cls, values):
        values = tuple(values)
        if len(values) != len(cls._fields):
            raise TypeError(f"{DISPLAYED.name}.return_types.{cls.__name__} takes a "
                            f"{len(cls._fields)}-sequence ({len(values)}-sequence given)")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"{DISPLAYED.name}.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _return_type(name, fields):
    namespace = {"__slots__": (), "_fields": fields, "__module__": "ember.return_types",
                 "__qualname__": name}
    for position, field in enumerate(fields):
        namespace[field] = property(lambda self, position=position: self[position])
    return type(name, (StructSequence,), namespace)


_VALUES_INDICES = ("values", "indices")
max = _return_type("max", _VALUES_INDICES)
min = _return_type("min", _VALUES_INDICES)
sort = _return_type("sort", _VALUES_INDICES)
topk = _return_type("topk", _VALUES_INDICES)
kthvalue = _return_type("kthvalue", _VALUES_INDICES)
median = _return_type("median", _VALUES_INDICES)
nanmedian = _return_type("nanmedian", _VALUES_INDICES)
mode = _return_type("mode", _VALUES_INDICES)
cummax = _return_type("cummax", _VALUES_INDICES)
cummin = _return_type("cummin", _VALUES_INDICES)
aminmax = _return_type("aminmax", ("min", "max"))
