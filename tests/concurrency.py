"""Run the same work in several threads released together, for exactly-once tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_together(work: Callable[[], T], threads: int, timeout: float = 120) -> list[T]:
    """Start ``threads`` threads that each wait at one barrier, then call ``work()``; return
    what each call returned (in finishing order). A hung thread or any exception fails."""
    start = threading.Barrier(threads)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        except BaseException as exc:  # reported below
            errors.append(exc)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=timeout)
    assert not any(t.is_alive() for t in pool), "a thread hung"
    assert errors == []
    return results
