"""The org chart recomputed from the adjacency list alone, to check ``path`` and ``depth``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from people.models import Person


def adjacency(session: Any) -> dict[int, int | None]:
    return dict(session.execute(select(Person.id, Person.manager_id)).all())


def expected_paths(managers: dict[int, int | None]) -> dict[int, tuple[str, int]]:
    out: dict[int, tuple[str, int]] = {}
    for pid in managers:
        chain = [pid]
        seen = {pid}
        while managers[chain[-1]] is not None:
            nxt = managers[chain[-1]]
            assert nxt not in seen, f"loop in the adjacency list at {nxt}"
            seen.add(nxt)
            chain.append(nxt)
        ids = list(reversed(chain))
        out[pid] = ("/" + "".join(f"{i}/" for i in ids), len(ids) - 1)
    return out


def subtree(managers: dict[int, int | None], root: int) -> set[int]:
    """Everyone below ``root`` (not ``root``)."""
    children: dict[int | None, list[int]] = {}
    for pid, mid in managers.items():
        children.setdefault(mid, []).append(pid)
    found: set[int] = set()
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def assert_tree_consistent(session: Any) -> None:
    """Every stored path and depth equals what the manager links say."""
    session.flush()
    stored = {pid: (path, depth) for pid, path, depth in
              session.execute(select(Person.id, Person.path, Person.depth)).all()}
    expected = expected_paths(adjacency(session))
    wrong = {pid: (stored[pid], expected[pid]) for pid in stored if stored[pid] != expected[pid]}
    assert wrong == {}, f"stored (path, depth) vs expected: {wrong}"
