"""Work started beside the caller (``followup_kit._beside``): on its own thread, with its
result and its error handed back, and still working in a process forked after it ran."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from followup_kit._beside import beside


def test_the_work_runs_on_another_thread_and_hands_back_its_result():
    caller = threading.get_ident()
    future = beside(lambda a, *, b: (a + b, threading.get_ident()), 40, b=2)
    total, worker = future.result(timeout=30)
    assert total == 42 and worker != caller


def test_an_error_in_the_work_reaches_the_caller():
    def broken() -> None:
        raise ValueError("the rules file says 'soon'")

    with pytest.raises(ValueError, match="soon"):
        beside(broken).result(timeout=30)


def _in_child(queue) -> None:  # noqa: ANN001
    queue.put(beside(sum, [1, 2, 3]).result(timeout=20))


def test_work_started_in_a_process_forked_after_some_ran_still_finishes():
    assert beside(sum, [1]).result(timeout=30) == 1  # a thread has run in this process
    fork = multiprocessing.get_context("fork")
    queue = fork.Queue()
    child = fork.Process(target=_in_child, args=(queue,))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == 6
