"""Pytrees as torch.utils._pytree sees them: tuples, lists, dicts and named tuples are nodes,
everything else (tensors, numbers, None) is a leaf. The TreeSpec repr is torch's, because
vmap's and jvp's error messages print it."""
from collections import OrderedDict, defaultdict, deque

from ember._tensor import Size
from ember.return_types import StructSequence


class TreeSpec:
    """The shape of a pytree: the node type, its context (dict keys) and child specs."""

    __slots__ = ("type", "context", "children", "num_leaves")

    def __init__(self, node_type, context, children):
        self.type = node_type
        self.context = context
        self.children = children
        self.num_leaves = sum(child.num_leaves for child in children)

    def is_leaf(self):
        return False

    def __eq__(self, other):
        if not isinstance(other, TreeSpec) or other.is_leaf():
            return False
        return (self.type is other.type and self.context == other.context
                and self.children == other.children)

    def __hash__(self):
        return id(self)

    def __repr__(self, indent=0):
        named = isinstance(self.context, type)
        prefix = f"TreeSpec({'namedtuple' if named else self.type.__name__}, {self.context}, ["
        body = ""
        if self.children:
            indent += 2
            body += self.children[0].__repr__(indent)
            body += "," if len(self.children) > 1 else ""
            body += ",".join("\n" + " " * indent + child.__repr__(indent)
                             for child in self.children[1:])
        return prefix + body + "])"


class LeafSpec(TreeSpec):
    """The spec of a single leaf, printed as `*`."""

    def __init__(self):
        super().__init__(None, None, [])
        self.num_leaves = 1

    def is_leaf(self):
        return True

    def __eq__(self, other):
        return isinstance(other, LeafSpec)

    def __hash__(self):
        return 0

    def __repr__(self, indent=0):
        return "*"


_LEAF = LeafSpec()


def _children(tree):
    """(node type, context, children) for a node, None for a leaf. As in torch, the node
    types are exact: a subclass of tuple or dict nobody registered is a leaf."""
    kind = type(tree)
    if kind in (tuple, list, deque, Size):
        return kind, None, list(tree)
    if kind in (dict, OrderedDict):
        keys = list(tree)
        return kind, keys, [tree[key] for key in keys]
    if kind is defaultdict:
        keys = list(tree)
        return kind, [tree.default_factory, keys], [tree[key] for key in keys]
    if isinstance(tree, tuple) and hasattr(kind, "_fields"):
        # named tuples carry their class; torch's structseqs (ember's return_types) do not
        context = None if issubclass(kind, StructSequence) else kind
        return kind, context, list(tree)
    return None


def tree_flatten(tree):
    """(leaves, spec) with the leaves in depth-first order."""
    leaves = []
    spec = _flatten_into(tree, leaves)
    return leaves, spec


def _flatten_into(tree, leaves):
    node = _children(tree)
    if node is None:
        leaves.append(tree)
        return _LEAF
    node_type, context, children = node
    return TreeSpec(node_type, context, [_flatten_into(child, leaves) for child in children])


def tree_unflatten(leaves, spec):
    """The pytree of `spec`'s shape holding `leaves`."""
    iterator = iter(leaves)
    return _build(spec, iterator)


def _build(spec, iterator):
    if spec.is_leaf():
        return next(iterator)
    children = [_build(child, iterator) for child in spec.children]
    kind = spec.type
    if kind in (list, tuple, deque, Size):
        return kind(children)
    if kind in (dict, OrderedDict):
        return kind(zip(spec.context, children))
    if kind is defaultdict:
        factory, keys = spec.context
        return defaultdict(factory, zip(keys, children))
    if spec.context is None:
        return kind(children)
    return kind(*children)


def tree_map(function, tree):
    """The pytree with `function` applied to every leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([function(leaf) for leaf in leaves], spec)


def broadcast_to_and_flatten(prefix, spec):
    """The leaves of `prefix` repeated over the leaves of the full tree `spec` they cover
    (vmap's in_dims=(0, None) over ((a, b), c)); None when prefix is not a prefix of spec."""
    result = []
    if _broadcast_into(prefix, spec, result):
        return result
    return None


def _broadcast_into(prefix, spec, result):
    node = _children(prefix)
    if node is None:
        result.extend([prefix] * spec.num_leaves)
        return True
    node_type, context, children = node
    if spec.is_leaf() or node_type is not spec.type or len(children) != len(spec.children):
        return False
    if context != spec.context:
        return False
    return all(_broadcast_into(child, child_spec, result)
               for child, child_spec in zip(children, spec.children))


def treespec_pprint(spec):
    """The spec printed as a tree of `*` leaves: `(*, *)`, torch's treespec_pprint."""
    return repr(tree_unflatten([_Asterisk()] * spec.num_leaves, spec))


class _Asterisk(str):
    """A leaf that prints as a bare `*`."""

    def __new__(cls):
        return super().__new__(cls, "*")

    def __repr__(self):
        return "*"
