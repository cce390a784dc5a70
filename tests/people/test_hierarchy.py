"""Hierarchy queries: managers above (nearest first, guarded against cycles) and everyone under
(exactly the subtree, also where one id is a text prefix of another)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from people import hierarchy
from people.hierarchy import chain_above, count_under, everyone_under, path_range
from people.models import Person
from people.operations import PeopleError, deactivate, update_person
from tests.people.tree import adjacency, assert_tree_consistent, subtree


def test_chain_above_is_nearest_first(org, db_session):
    assert [p.id for p in chain_above(org.learner.id)] == [org.line.id, org.skip.id, org.md.id]
    assert chain_above(org.md.id) == []
    assert [p.id for p in chain_above(org.line.id, max_depth=1)] == [org.skip.id]
    assert org.learner.ancestor_ids() == [org.line.id, org.skip.id, org.md.id]


def test_chain_above_stops_at_the_depth_guard_on_a_cycle(org, db_session):
    # Corrupt the adjacency list behind the operations' back: skip and line manage each other.
    db_session.execute(text("UPDATE person SET manager_id = :line WHERE id = :skip"),
                       {"line": org.line.id, "skip": org.skip.id})
    db_session.expire_all()
    chain = chain_above(org.learner.id, max_depth=10)
    assert len(chain) == 10
    assert [p.id for p in chain[:4]] == [org.line.id, org.skip.id, org.line.id, org.skip.id]
    assert len(chain_above(org.learner.id)) == hierarchy.MAX_DEPTH


def test_chain_above_a_deep_line_is_cut_at_the_guard(org, make_person, db_session):
    boss = org.learner
    for n in range(6):
        boss = make_person(f"Deep {n}", manager=boss)
    assert len(chain_above(boss.id)) == 9
    assert [p.id for p in chain_above(boss.id, max_depth=3)] == [
        p.id for p in chain_above(boss.id)[:3]]


def test_path_range_bounds():
    lo, hi = path_range("/1/4/")
    assert lo <= "/1/4/" < hi
    assert lo <= "/1/4/9/" < hi
    assert not (lo <= "/1/40/" < hi)
    assert not (lo <= "/1/5/" < hi)
    assert not (lo <= "/1/" < hi)


def _ids(people) -> set[int]:
    return {p.id for p in people}


def test_everyone_under_is_the_subtree(org, db_session):
    assert _ids(everyone_under(org.md)) == {org.skip.id, org.line.id, org.learner.id,
                                           org.unrelated.id, org.other_learner.id, org.ld.id,
                                           org.admin.id}
    assert _ids(everyone_under(org.skip)) == {org.line.id, org.learner.id}
    assert _ids(everyone_under(org.learner)) == set()
    assert count_under(org.skip) == 2
    assert hierarchy.is_above(org.skip, org.learner)
    assert not hierarchy.is_above(org.learner, org.skip)
    assert not hierarchy.is_above(org.skip, org.skip)


def test_everyone_under_leaves_out_inactive_people_unless_asked(org, db_session):
    deactivate(org.learner)
    assert _ids(everyone_under(org.skip)) == {org.line.id}
    assert _ids(everyone_under(org.skip, include_inactive=True)) == {org.line.id, org.learner.id}
    assert count_under(org.skip) == 1


# Ids chosen so that one is a text prefix of the next (/7/ vs /70/ vs /700/ ...), far above
# anything a sequence hands out during the suite.
PREFIX_IDS = [700_000_000, 70_000_000, 7_000_000, 70_000_001, 7_000_001, 700_000_001]


def _person_with_id(pid: int, manager: Person) -> Person:
    from clearance.extensions import db

    person = Person(id=pid, employee_id=f"P{pid}", name=f"Prefix {pid}",
                    email=f"p{pid}@example.org", email_key=f"p{pid}@example.org",
                    job_title="", unit="", manager_id=manager.id, active=True,
                    session_version=1, path=f"{manager.path}{pid}/", depth=manager.depth + 1)
    db.session.add(person)
    db.session.flush()
    return person


def _check_every_subtree(db_session) -> None:
    managers = adjacency(db_session)
    for person in db_session.scalars(select(Person)):
        expected = subtree(managers, person.id)
        assert _ids(everyone_under(person, include_inactive=True)) == expected, person.id


def test_everyone_under_with_prefix_ids(org, db_session):
    """Siblings /…/7000000/ and /…/70000000/: neither subtree may leak into the other, on
    SQLite (binary comparison) and PostgreSQL (the path column uses the C collation)."""
    made = {}
    for pid in PREFIX_IDS[:3]:
        made[pid] = _person_with_id(pid, org.line)
    made[70_000_001] = _person_with_id(70_000_001, made[7_000_000])
    made[7_000_001] = _person_with_id(7_000_001, made[70_000_000])
    made[700_000_001] = _person_with_id(700_000_001, made[70_000_000])
    assert_tree_consistent(db_session)
    _check_every_subtree(db_session)
    update_person(made[70_000_000], manager=made[7_000_000])
    assert_tree_consistent(db_session)
    _check_every_subtree(db_session)
    assert _ids(everyone_under(made[7_000_000])) == {70_000_001, 70_000_000, 7_000_001,
                                                    700_000_001}


def test_path_column_sorts_bytewise(org, db_session):
    """The range scan needs '/' < '0' < '9' in the column's collation."""
    rows = db_session.execute(text(
        "SELECT p FROM (SELECT '/1/4/' AS p UNION ALL SELECT '/1/40/' UNION ALL SELECT '/1/4/9/' "
        "UNION ALL SELECT '/1/5/') t ORDER BY p")).scalars().all()
    assert rows == sorted(rows)
    if db_session.get_bind().dialect.name == "postgresql":
        collation = db_session.execute(text(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'person' AND column_name = 'path' "
            "AND table_schema = current_schema()")).scalar()
        assert collation == "C"


# ---- property: any sequence of moves keeps the chart consistent ----


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(parents=st.lists(st.integers(min_value=0, max_value=30), min_size=4, max_size=12),
       moves=st.lists(st.tuples(st.integers(0, 11), st.one_of(st.none(), st.integers(0, 11))),
                      max_size=12))
def test_random_moves_keep_paths_and_subtrees_right(org, make_person, db_session, parents, moves):
    nested = db_session.begin_nested()
    try:
        people = [org.md]
        for n, parent in enumerate(parents):
            people.append(make_person(f"Random {n}", manager=people[parent % len(people)]))
        for who, to in moves:
            mover = people[who % len(people)]
            target = None if to is None else people[to % len(people)]
            loop = target is not None and (target.id == mover.id or target.path.startswith(
                mover.path))
            try:
                update_person(mover, manager=target)
            except PeopleError:
                assert loop
            else:
                assert not loop
        assert_tree_consistent(db_session)
        _check_every_subtree(db_session)
    finally:
        nested.rollback()
        # Paths rewritten by the bulk UPDATE were refreshed inside the savepoint; rolling it
        # back does not expire them, so forget them before the next example.
        db_session.expire_all()


@pytest.mark.parametrize("max_depth", [1, 2, 5])
def test_chain_above_respects_max_depth(org, db_session, max_depth):
    assert len(chain_above(org.learner.id, max_depth=max_depth)) == min(max_depth, 3)
