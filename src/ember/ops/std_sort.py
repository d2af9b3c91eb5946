"""libstdc++'s std::sort (introsort, median-of-three pivot, heap sort past the depth limit, a
final insertion sort), std::nth_element (introselect) and std::partial_sort (heap select),
replayed on a Python list. PyTorch's CPU kernels that order (value, index) pairs by value
alone inherit their order among equal values; reproducing it gives the same indices among
ties (mode, topk). Python-speed: used on the slices where that order matters."""

_THRESHOLD = 16  # libstdc++'s _S_threshold
# up to this many items std::sort is one insertion sort, which keeps equal items in order
STD_SORT_STABLE_UP_TO = _THRESHOLD


def std_sort(items, less):
    """Sorts `items` in place exactly as libstdc++'s std::sort(begin, end, less) does."""
    count = len(items)
    if count == 0:
        return
    _introsort(items, less, 0, count, (count.bit_length() - 1) * 2)
    if count > _THRESHOLD:
        _insertion_sort(items, less, 0, _THRESHOLD)
        for position in range(_THRESHOLD, count):
            _linear_insert(items, less, position)
    else:
        _insertion_sort(items, less, 0, count)


def _linear_insert(items, less, last):
    value = items[last]
    previous = last - 1
    while less(value, items[previous]):
        items[last] = items[previous]
        last = previous
        previous -= 1
    items[last] = value


def _insertion_sort(items, less, first, last):
    for position in range(first + 1, last):
        if less(items[position], items[first]):
            value = items[position]
            items[first + 1:position + 1] = items[first:position]
            items[first] = value
        else:
            _linear_insert(items, less, position)


def _introsort(items, less, first, last, depth_limit):
    while last - first > _THRESHOLD:
        if depth_limit == 0:
            _heap_sort(items, less, first, last)
            return
        depth_limit -= 1
        middle = first + (last - first) // 2
        _move_median_to_first(items, less, first, first + 1, middle, last - 1)
        cut = _unguarded_partition(items, less, first + 1, last, first)
        _introsort(items, less, cut, last, depth_limit)
        last = cut


def _move_median_to_first(items, less, result, a, b, c):
    if less(items[a], items[b]):
        if less(items[b], items[c]):
            chosen = b
        elif less(items[a], items[c]):
            chosen = c
        else:
            chosen = a
    elif less(items[a], items[c]):
        chosen = a
    elif less(items[b], items[c]):
        chosen = c
    else:
        chosen = b
    items[result], items[chosen] = items[chosen], items[result]


def _unguarded_partition(items, less, first, last, pivot):
    while True:
        while less(items[first], items[pivot]):
            first += 1
        last -= 1
        while less(items[pivot], items[last]):
            last -= 1
        if not first < last:
            return first
        items[first], items[last] = items[last], items[first]
        first += 1


def _adjust_heap(items, less, first, hole, length, value):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if less(items[first + child], items[first + child - 1]):
            child -= 1
        items[first + hole] = items[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        items[first + hole] = items[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and less(items[first + parent], value):
        items[first + hole] = items[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    items[first + hole] = value


def _heap_select(items, less, first, middle, last):
    """make_heap on [first, middle), then every later item smaller than the top replaces it."""
    length = middle - first
    if length >= 2:
        parent = (length - 2) // 2
        while True:
            _adjust_heap(items, less, first, parent, length, items[first + parent])
            if parent == 0:
                break
            parent -= 1
    for position in range(middle, last):
        if less(items[position], items[first]):
            value = items[position]
            items[position] = items[first]
            _adjust_heap(items, less, first, 0, length, value)


def _sort_heap(items, less, first, last):
    while last - first > 1:
        last -= 1
        value = items[last]
        items[last] = items[first]
        _adjust_heap(items, less, first, 0, last - first, value)


def _heap_sort(items, less, first, last):
    """std::__partial_sort(first, last, last): heap select, then sort_heap."""
    _heap_select(items, less, first, last, last)
    _sort_heap(items, less, first, last)


def partial_sort(items, less, middle):
    """std::partial_sort(begin, begin + middle, end, less) in place."""
    _heap_select(items, less, 0, middle, len(items))
    _sort_heap(items, less, 0, middle)


def nth_element(items, less, nth):
    """std::nth_element(begin, begin + nth, end, less) in place."""
    first, last = 0, len(items)
    if nth == last:
        return
    depth_limit = ((last - first).bit_length() - 1) * 2
    while last - first > 3:
        if depth_limit == 0:
            _heap_select(items, less, first, nth + 1, last)
            items[first], items[nth] = items[nth], items[first]
            return
        depth_limit -= 1
        middle = first + (last - first) // 2
        _move_median_to_first(items, less, first, first + 1, middle, last - 1)
        cut = _unguarded_partition(items, less, first + 1, last, first)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(items, less, first, last)
