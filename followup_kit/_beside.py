"""Work started on a second thread while the caller goes on with its own.

NumPy lets go of Python's lock for long array work, so on two cores a frame or a set of
tables is done sooner when an independent part of it runs beside the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def beside(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
    """``fn(*args, **kwargs)`` started on a thread of its own; ``.result()`` waits for it
    (and raises what it raised).

    A pool of one per call, shut down at once (its task still runs): a pool kept for the
    module would hang in a process forked after its thread started. Hand it work on data
    already loaded, with nothing left to import: two threads importing modules that import
    each other can stop one another (Python then raises ``_DeadlockError``).
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=getattr(fn, "__name__", "beside"))
    try:
        return pool.submit(fn, *args, **kwargs)
    finally:
        pool.shutdown(wait=False)
