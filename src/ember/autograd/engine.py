"""The backward engine: iterative, never recursive, so graphs 100,000 nodes deep work."""
import heapq
from sys import getrefcount

import numpy as np

from ember._errors import dtype_name
from ember._tensor import Tensor, _wrap
from ember.autograd.anomaly_mode import ANOMALY, check_gradients
from ember.autograd.grad_mode import STATE
from ember.autograd.graph import AccumulateGrad, edge_of

__all__ = ["run_backward"]


def _dependencies(roots):
    """Counts, for every node reachable from `roots`, how many edges lead into it."""
    counts = {}
    # several roots can share one node (outputs of slogdet, svd...): walk it once
    stack = list({node: None for node in roots if node is not None})
    walked = set(stack)
    while stack:
        for next_node, _ in stack.pop().next_functions:
            if next_node is None:
                continue
            count = counts.get(next_node)
            if count is not None:
                counts[next_node] = count + 1
            else:
                counts[next_node] = 1
                # a root reached from another root is already walked
                if next_node not in walked:
                    stack.append(next_node)
    return counts


def _needed_nodes(roots, targets):
    """The nodes lying on some path from `roots` to a node in `targets` (graph pruning for
    autograd.grad with inputs=...)."""
    order = []
    seen = set()
    stack = [node for node in roots if node is not None]
    seen.update(stack)
    while stack:
        node = stack.pop()
        order.append(node)
        for next_node, _ in node.next_functions:
            if next_node is not None and next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    needed = set(targets)
    # `order` lists each node after one of its parents; walking it backwards visits children
    # first often enough, so repeat until no node is added.
    changed = True
    while changed:
        changed = False
        for node in reversed(order):
            if node in needed:
                continue
            for next_node, _ in node.next_functions:
                if next_node in needed:
                    needed.add(node)
                    changed = True
                    break
    return needed


def _accumulate(buffer, position, grad):
    current = buffer[position]
    buffer[position] = grad if current is None else current + grad


def _run_pre_hooks(node, grads):
    for hook in tuple(node._pre_hooks.values()):
        replaced = hook(tuple(grads))
        if replaced is not None:
            grads = list(replaced)
    return grads


def _run_hooks(node, grad_inputs, grad_outputs):
    for hook in tuple(node._hooks.values()):
        replaced = hook(tuple(grad_inputs), tuple(grad_outputs))
        if replaced is not None:
            grad_inputs = list(replaced)
    return grad_inputs


def _checked_hook_result(hook, original, replaced):
    """A tensor hook's replacement gradient, refused as PyTorch refuses it when it is not a
    tensor or changes the gradient's dtype or size."""
    if not isinstance(replaced, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(replaced).__name__}'")
    name = getattr(hook, "__name__", type(hook).__name__)
    if replaced._data.dtype != original._data.dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was "
            f"torch.{dtype_name(original.dtype)}Tensor got torch.{dtype_name(replaced.dtype)}"
            "Tensor)")
    if replaced._data.shape != original._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    return replaced


def _run_leaf_hooks(variable, grad):
    tensor_hooks = variable._extra.get("hooks") if variable._extra is not None else None
    if tensor_hooks:
        for hook in tuple(tensor_hooks.values()):
            replaced = hook(grad)
            if replaced is not None:
                grad = _checked_hook_result(hook, grad, replaced)
    return grad


def _accumulate_into_leaf(node, grad, create_graph):
    variable = node.variable
    if grad is None:
        return
    if create_graph:
        variable._grad = grad if variable._grad is None else variable._grad + grad
    elif variable._grad is None:
        # Like PyTorch, take over a gradient buffer nothing else references; anything shared
        # is copied, since later accumulation writes into .grad in place.
        data = _unshared_array(grad)
        variable._grad = _wrap(np.array(grad._data, order="C") if data is None else data)
    else:
        variable._grad._data += grad._data
        variable._grad._bump_version()
    if node._post_hooks:
        for hook in tuple(node._post_hooks.values()):
            hook(variable)


def _unshared_array(grad):
    """grad's C-contiguous array when no object outside this backward pass reaches its memory,
    else None. The counts name every holder: the engine's list, the caller's frame, this frame
    and getrefcount's argument hold `grad`; grad, this frame and the argument hold its array.
    A view (a weight's gradient through linear's TBackward0 is the transpose of a transposed
    product) qualifies when it spans its base's whole buffer and that base tensor is a
    temporary only the view holds: it, its storage and the view are then the buffer's only
    holders."""
    data = grad._data
    if getrefcount(grad) > 4 or getrefcount(data) > 3:
        return None
    if not (data.flags.c_contiguous and data.flags.writeable):
        return None
    owner = data.base
    if owner is None:
        return data
    root = grad._view_base
    if (type(owner) is not np.ndarray or owner.base is not None or root is None
            or root._data is not owner or owner.nbytes != data.nbytes
            or getrefcount(root) > 3):
        return None
    storage = root._storage
    holders = 4 if storage is None else 5
    if storage is not None and (storage is not grad._storage or getrefcount(storage) > 4):
        return None
    return data if getrefcount(owner) <= holders else None


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None,
                 accumulate=True):
    """Propagates grad_outputs from outputs through the graph. With accumulate=True leaves'
    .grad fields receive gradients (restricted to `inputs` when given); otherwise returns the
    gradients reaching `inputs`, one per input (None where none arrives)."""
    root_edges = [edge_of(out) for out in outputs]
    previous_mode = STATE.enabled
    STATE.enabled = create_graph
    try:
        captured = None
        capture_edges = {}
        needed = None
        if inputs is not None:
            for position, tensor in enumerate(inputs):
                node, nr = edge_of(tensor)
                capture_edges.setdefault(node, []).append((nr, position))
            captured = [None] * len(inputs)
            needed = _needed_nodes([e[0] for e in root_edges], capture_edges.keys())
        counts = _dependencies([e[0] for e in root_edges])
        buffers = {}
        for (node, nr), grad in zip(root_edges, grad_outputs):
            if node is not None:
                buffer = buffers.get(node)
                if buffer is None:
                    buffer = buffers[node] = [None] * _output_count(node)
                _accumulate(buffer, nr, grad)
        ready = [(-node._sequence_nr, id(node), node) for node in buffers
                 if counts.get(node, 0) == 0]
        heapq.heapify(ready)
        pop = heapq.heappop
        push = heapq.heappush
        # The first node a step makes ready skips the heap when nothing there outranks it:
        # a chain of ops then runs without heap traffic, in the heap's order.
        follow = None
        while True:
            if follow is not None:
                node = follow
                follow = None
                if ready and ready[0] < (-node._sequence_nr, id(node)):
                    node = heapq.heappushpop(ready, (-node._sequence_nr, id(node), node))[2]
            elif ready:
                node = pop(ready)[2]
            else:
                break
            # a node whose incoming gradients were all None still runs its bookkeeping, so
            # the nodes after it are released when their other inputs arrive
            grads = buffers.pop(node, None)
            if type(node) is AccumulateGrad:
                if grads is not None:
                    _leaf(node, grads, capture_edges, captured, accumulate, inputs,
                          create_graph)
                continue
            if needed is not None and node not in needed:
                continue
            if grads is not None:
                if node._metadata is not None:
                    grads = _run_tensor_hooks(node, grads)
                if node._pre_hooks:
                    grads = _run_pre_hooks(node, grads)
                targets = capture_edges.get(node) if capture_edges else None
                if targets is not None:
                    for nr, position in targets:
                        captured[position] = grads[nr]
                    if not accumulate and not _leads_further(node, needed):
                        continue
                grad_inputs = node.apply(grads)
                if ANOMALY.enabled:
                    check_gradients(node, grad_inputs)
                if node._hooks:
                    grad_inputs = _run_hooks(node, grad_inputs, grads)
                if not retain_graph:
                    node._release()
            else:
                grad_inputs = (None,) * len(node.next_functions)
            for (next_node, nr), grad in zip(node.next_functions, grad_inputs):
                if next_node is None:
                    continue
                if grad is not None:
                    buffer = buffers.get(next_node)
                    if buffer is None:
                        if next_node._metadata is None:
                            buffers[next_node] = [grad]
                        else:
                            buffer = buffers[next_node] = [None] * _output_count(next_node)
                            buffer[nr] = grad
                    else:
                        current = buffer[nr]
                        buffer[nr] = grad if current is None else current + grad
                remaining = counts[next_node] - 1
                counts[next_node] = remaining
                if remaining == 0:
                    if follow is None:
                        follow = next_node
                    else:
                        push(ready, (-next_node._sequence_nr, id(next_node), next_node))
            # drop this frame's references, so a leaf can take over an unshared gradient
            grad = grad_inputs = grads = None
        return captured
    finally:
        STATE.enabled = previous_mode


def _leaf(node, grads, capture_edges, captured, accumulate, inputs, create_graph):
    """An AccumulateGrad node's turn: leaf hooks, capture for autograd.grad, accumulation."""
    if node.variable._extra is not None:
        grads = [_run_leaf_hooks(node.variable, grads[0])]
    targets = capture_edges.get(node) if capture_edges else None
    if targets is not None:
        for nr, position in targets:
            captured[position] = grads[nr]
    if accumulate and (inputs is None or targets is not None):
        _accumulate_into_leaf(node, grads[0], create_graph)


def _leads_further(node, needed):
    return any(next_node in needed for next_node, _ in node.next_functions)


def _output_count(node):
    metadata = node._metadata
    if metadata is not None and "output_meta" in metadata:
        return len(metadata["output_meta"])
    return 1


def _run_tensor_hooks(node, grads):
    """Runs hooks registered on the node's output tensors, then fills retained .grad fields;
    returns the (possibly replaced) gradients."""
    metadata = node._metadata
    tensor_hooks = metadata.get("tensor_hooks")
    if tensor_hooks:
        grads = list(grads)
        for nr, hooks in tensor_hooks.items():
            for hook in tuple(hooks.values()):
                if grads[nr] is None:
                    break
                replaced = hook(grads[nr])
                if replaced is not None:
                    grads[nr] = _checked_hook_result(hook, grads[nr], replaced)
    retained = metadata.get("retained")
    if retained:
        for nr, tensor_ref in retained.items():
            tensor = tensor_ref()
            if tensor is None or grads[nr] is None:
                continue
            grad = grads[nr].detach()
            if tensor._grad is None:
                tensor._grad = _wrap(grad._data.copy())
            else:
                tensor._grad = tensor._grad + grad
    return grads

