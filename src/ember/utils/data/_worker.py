"""Multi-process loading (num_workers > 0), PyTorch's design: each worker process has its own
index queue and copy of the dataset, results come back on one queue and are reordered, so
batches arrive in sampler order; at most prefetch_factor * num_workers tasks are in flight.
Worker w seeds Python's `random` and ember's default generator with base_seed + w, and NumPy's
global generator from a SeedSequence of (base_seed, w) (as PyTorch does, so forked workers do
not share one NumPy stream); get_worker_info() describes the worker inside it."""
import queue
import random
import sys
import traceback

import numpy as np

from ember.ops.sampling import manual_seed
from ember.utils.data._fetch import _DatasetKind

__all__ = ["get_worker_info", "WorkerInfo"]

_POLL_SECONDS = 5.0

_worker_info = None


class WorkerInfo:
    """id, num_workers, seed and dataset of the current worker process."""

    _initialized = False

    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)
        self.__keys = tuple(kwargs.keys())
        self._initialized = True

    def __setattr__(self, key, value):
        if self._initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        super().__setattr__(key, value)

    def __repr__(self):
        items = [f"{key}={getattr(self, key)}" for key in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info():
    """The WorkerInfo inside a DataLoader worker process; None in the main process."""
    return _worker_info


class _IterableDatasetStopIteration:
    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at a new epoch: rebuild the fetcher."""


class _KeyErrorMessage(str):
    """A message that is its own repr: KeyError's str() is the repr of its argument, which
    would print the traceback as one quoted line with escaped newlines (PyTorch's
    KeyErrorMessage)."""

    __slots__ = ()

    def __repr__(self):
        return self


class _ExceptionWrapper:
    """An exception raised in a worker, re-raised in the main process with its traceback."""

    def __init__(self, where):
        exc_type, exc_value, exc_traceback = sys.exc_info()
        self.exc_type = exc_type
        self.message = (f"Caught {exc_type.__name__} {where}.\nOriginal "
                        + "".join(traceback.format_exception(exc_type, exc_value,
                                                             exc_traceback)))

    def reraise(self):
        """Raises the worker's exception type with the worker's traceback in its message."""
        message = self.message
        if self.exc_type is KeyError:
            message = _KeyErrorMessage(message)
        try:
            exception = self.exc_type(message)
        except Exception:
            raise RuntimeError(self.message) from None
        raise exception


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, auto_collation, collate_fn,
                 drop_last, base_seed, init_fn, worker_id, num_workers):
    global _worker_info
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(np.random.SeedSequence([base_seed % (1 << 64), worker_id]).generate_state(4))
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    init_exception = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                              collate_fn, drop_last)
    except Exception:
        init_exception = _ExceptionWrapper(f"in DataLoader worker process {worker_id}")
    iteration_end = False
    while True:
        task = index_queue.get()
        if task is None:
            break
        if isinstance(task, _ResumeIteration):
            data_queue.put((task, None))
            iteration_end = False
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                  collate_fn, drop_last)
            continue
        if iteration_end:
            continue
        task_index, index = task
        if init_exception is not None:
            data = init_exception
        else:
            try:
                data = fetcher.fetch(index)
            except Exception as error:
                if isinstance(error, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                    data = _IterableDatasetStopIteration(worker_id)
                    iteration_end = True
                else:
                    data = _ExceptionWrapper(f"in DataLoader worker process {worker_id}")
        data_queue.put((task_index, data))


class _MultiProcessingDataLoaderIter:
    """Iterates a DataLoader with worker processes; batches come back in sampler order."""

    def __init__(self, loader, base_seed):
        self._dataset_kind = loader._dataset_kind
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._prefetch_factor = loader.prefetch_factor
        self._persistent_workers = loader.persistent_workers
        context = loader.multiprocessing_context
        if context is None:
            import multiprocessing
            context = multiprocessing.get_context()
        self._data_queue = context.Queue()
        self._index_queues = []
        self._workers = []
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            worker = context.Process(
                target=_worker_loop,
                args=(self._dataset_kind, loader.dataset, index_queue, self._data_queue,
                      loader._auto_collation, loader.collate_fn, loader.drop_last, base_seed,
                      loader.worker_init_fn, worker_id, self._num_workers))
            worker.daemon = True
            worker.start()
            self._index_queues.append(index_queue)
            self._workers.append(worker)
        self._shutdown = False
        self._reset(first_iter=True)

    def _reset(self, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._worker_queue_idx_cycle = iter(range(0))
        if not first_iter:
            for index_queue in self._index_queues:
                index_queue.put(_ResumeIteration())
            resumed = 0
            while resumed < self._num_workers:
                task_index, _ = self._get_data()
                if isinstance(task_index, _ResumeIteration):
                    resumed += 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._index_sampler)

    def _next_worker(self):
        for _ in range(self._num_workers):
            try:
                worker_id = next(self._worker_queue_idx_cycle)
            except StopIteration:
                self._worker_queue_idx_cycle = iter(range(self._num_workers))
                worker_id = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_id]:
                return worker_id
        return None

    def _try_put_index(self):
        if self._tasks_outstanding >= self._prefetch_factor * self._num_workers:
            return
        worker_id = self._next_worker()
        if worker_id is None:
            return
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _get_data(self):
        if self._timeout > 0:
            try:
                return self._data_queue.get(timeout=self._timeout)
            except queue.Empty:
                raise RuntimeError(
                    f"DataLoader timed out after {self._timeout} seconds") from None
        while True:
            try:
                return self._data_queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                dead = [str(worker.pid) for worker in self._workers if not worker.is_alive()]
                if dead:
                    self._shutdown_workers()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(dead)}) exited "
                                       "unexpectedly") from None

    def __next__(self):
        while True:
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                data = self._task_info.pop(self._rcvd_idx)[1]
                return self._process_data(data)
            task_index, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                self._workers_status[data.worker_id] = False
                self._try_put_index()
                continue
            if task_index != self._rcvd_idx:
                self._task_info[task_index] += (data,)
            else:
                del self._task_info[task_index]
                return self._process_data(data)

    def _process_data(self, data):
        self._rcvd_idx += 1
        self._try_put_index()
        if isinstance(data, _ExceptionWrapper):
            data.reraise()
        return data

    def _shutdown_workers(self):
        if self._shutdown:
            return
        self._shutdown = True
        for index_queue in self._index_queues:
            index_queue.put(None)
        for worker in self._workers:
            worker.join(timeout=_POLL_SECONDS)
            if worker.is_alive():
                worker.terminate()
        for index_queue in self._index_queues:
            index_queue.cancel_join_thread()
            index_queue.close()
        self._data_queue.cancel_join_thread()
        self._data_queue.close()

    def __del__(self):
        if getattr(self, "_workers", None):
            self._shutdown_workers()
