"""Ordered parallel map over batches of work, on local processes or a Dask cluster.

Results come back in input order (so outputs do not depend on the engine or on timing),
and at most a few windows of work are in flight, so memory stays flat on any source size.
"""

import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from songspace import kernels
from songspace.errors import SongspaceError

T = TypeVar("T")
R = TypeVar("R")


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_workers(workers: int) -> int:
    """features.workers: 0 means every core this process may use."""
    return available_cores() if workers == 0 else workers


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def map_batches(func: Callable[[list[T]], list[R]], items: Iterable[T], *, batch_size: int,
                workers: int, engine: str = "local", scheduler: str = "") -> Iterator[R]:
    """Apply ``func`` to batches of ``items``; yield its results flattened, in input order."""
    batches = batched(items, batch_size)
    if engine == "dask":
        yield from _dask_map(func, batches, scheduler, workers)
        return
    n_workers = resolve_workers(workers)
    if n_workers == 1:
        for batch in batches:
            yield from func(batch)
        return
    window = n_workers * 4
    with multiprocessing.get_context("fork").Pool(n_workers) as pool:
        pending: list = []
        for batch in batches:
            pending.append(pool.apply_async(func, (batch,)))
            if len(pending) >= window:
                yield from pending.pop(0).get()
        for result in pending:
            yield from result.get()


def _pinned_call(func: Callable[[list[T]], list[R]], batch: list[T]) -> list[R]:
    """``func(batch)`` on a Dask worker, refused where the worker's numpy is not pinned: a
    worker started without the pins (on another host) would compute other bits."""
    if problem := kernels.late_import_error(
            "this Dask worker", "start workers with `python -m songspace.kernels dask worker "
            "...`"):
        raise SongspaceError(problem)
    return func(batch)


def _dask_map(func, batches: Iterator[list], scheduler: str, workers: int) -> Iterator:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a declared dependency
        raise SongspaceError("features.engine = 'dask' needs dask[distributed]; "
                             "run `pip install -e .` again") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as error:
            raise SongspaceError(f"features.scheduler = {scheduler!r}: cannot reach the Dask "
                                 f"scheduler ({error}); check the address or leave it empty "
                                 "to start a LocalCluster") from None
    else:
        cluster = LocalCluster(n_workers=resolve_workers(workers), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        window = max(4, len(client.scheduler_info().get("workers", {})) * 4)
        pending: list = []
        for batch in batches:
            pending.append(client.submit(_pinned_call, func, batch, pure=False))
            if len(pending) >= window:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
