"""Counting the SQL statements a piece of code runs (pages must not grow with the data)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from clearance.extensions import db


@contextmanager
def counting_statements() -> Iterator[list[int]]:
    """``with counting_statements() as count: ...`` then ``count[0]`` is the number run."""
    count = [0]

    def tick(*_args: Any) -> None:
        count[0] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", tick)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", tick)


def statements_for_page(client: Any, path: str) -> int:
    """How many statements a GET of ``path`` runs (it must answer 200)."""
    with counting_statements() as count:
        assert client.get(path).status_code == 200
    return count[0]
