"""The org-chart import engine and ``flask people import``."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from clearance.audit import AuditEvent, verify_chain
from clearance.extensions import db
from people import import_operations, signals
from people.importer import build_plan
from people.models import ImportRun, Person
from tests.people.import_helpers import HEADER, org_csv, row


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def new_events(before: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).offset(before)))


def people() -> dict[str, Person]:
    db.session.expire_all()
    return {p.employee_id: p for p in db.session.scalars(select(Person))}


def apply(data: bytes, **kwargs: Any) -> Any:
    plan = build_plan(data, **kwargs)
    assert plan.ok, plan.problems
    import_operations.apply_plan(plan)
    db.session.expire_all()
    return plan


def assert_paths_consistent() -> None:
    """Every path and depth is what ``move_subtree`` would leave: the manager's plus self."""
    rows = db.session.execute(select(Person.id, Person.manager_id, Person.path,
                                     Person.depth)).all()
    by_id = {r.id: r for r in rows}
    for r in rows:
        manager = by_id.get(r.manager_id)
        assert r.path == (manager.path if manager else "/") + f"{r.id}/", r
        assert r.depth == (manager.depth + 1 if manager else 0), r


@contextmanager
def received(signal: Any) -> Any:
    calls: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        calls.append(kwargs)

    with signal.connected_to(listener):
        yield calls


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


BASE = [
    "E1,Ann Top,ann@example.org,Chief Executive,Board,",
    "E2,Bob Mid,bob@example.org,Director,Ops,E1",
    "E3,Cat Low,cat@example.org,Nurse,Ward 1,bob@example.org",
]


# ---- reading files ----


def test_bom_semicolons_and_a_manager_after_its_reports(db_session: Any) -> None:
    text = ("Employee ID;Name;E-mail address;Job title;Department;Line manager\n"
            "E3;Cat Low;cat@example.org;Nurse;Ward 1;E2\n"
            "E2;Bob Mid;Bob@Example.org;Director;Ops;ann@example.org\n"
            "E1;Ann Top;ann@example.org;Chief Executive;Board;\n")
    apply(b"\xef\xbb\xbf" + text.encode("utf-8"))
    found = people()
    assert set(found) == {"E1", "E2", "E3"}
    ann, bob, cat = found["E1"], found["E2"], found["E3"]
    assert bob.manager_id == ann.id and cat.manager_id == bob.id
    assert cat.path == f"/{ann.id}/{bob.id}/{cat.id}/" and cat.depth == 2
    assert bob.email == "Bob@Example.org" and bob.email_key == "bob@example.org"
    assert cat.unit == "Ward 1" and cat.job_title == "Nurse"
    assert_paths_consistent()


def test_quoted_values_tabs_blank_lines_and_utf8_names(db_session: Any) -> None:
    text = ("employee_id\tname\temail\tmanager\n"
            "E1\t\"Okafor, Amara\"\tamara@example.org\t\n\n"
            "E2\tZoë Ångström\tzoe@example.org\tE1\n")
    apply(text.encode())
    found = people()
    assert found["E1"].name == "Okafor, Amara"
    assert found["E2"].name == "Zoë Ångström"
    assert found["E1"].job_title == "" and found["E1"].unit == ""


def test_mapping_and_first_and_last_name_columns(db_session: Any) -> None:
    from people.csvfile import parse_mapping

    data = (b"Staff Number,Forename,Surname,Work email,Boss\n"
            b"S1,Ann,Top,ann@example.org,\nS2,Bob,Mid,bob@example.org,S1\n")
    assert not build_plan(data).ok  # "Boss" is not a known spelling of manager
    apply(data, mapping=parse_mapping(["Boss=manager"]))
    found = people()
    assert found["S2"].name == "Bob Mid" and found["S2"].manager_id == found["S1"].id


def test_text_that_is_not_utf8_is_refused_with_its_line(db_session: Any) -> None:
    data = csv_bytes(*BASE) + "E4,Zoë,zoe@example.org,,,E1\n".encode("latin-1")
    plan = build_plan(data)
    assert [(p.line, "UTF-8" in p.message) for p in plan.problems] == [(5, True)]


# ---- refusals: the whole file, with line numbers ----

REFUSALS = [
    ("a loop", ["E1,Ann Top,ann@example.org,,,E3", *BASE[1:]], 2, "loop"),
    ("self-management", [*BASE, "E4,Dan Self,dan@example.org,,,E4"], 5, "own manager"),
    ("duplicate e-mail, any case", [*BASE, "E4,Dan Dup,CAT@example.org,,,E1"], 5,
     "already used on line 4"),
    ("duplicate employee id", [*BASE, "E2,Dan Dup,dan@example.org,,,E1"], 5,
     "already used on line 3"),
    ("unknown manager", [*BASE, "E4,Dan Lost,dan@example.org,,,E99"], 5,
     "manager E99 is not in the file"),
    ("employee id in other capitals", [*BASE, "e2,Dan Dup,dan@example.org,,,E1"], 5,
     "differs only in capitals from E2 on line 3"),
    ("missing employee id", [*BASE, ",Dan Noid,dan@example.org,,,E1"], 5, "employee id is missing"),
    ("missing name", [*BASE, "E4,,dan@example.org,,,E1"], 5, "name is missing"),
    ("missing e-mail", [*BASE, "E4,Dan Nomail,,,,E1"], 5, "e-mail address is missing"),
    ("bad e-mail", [*BASE, "E4,Dan Bad,dan@@example,,,E1"], 5, "not a valid e-mail"),
    ("unknown role", [*BASE, "E4,Dan Role,dan@example.org,,,E1,superuser"], 5, "unknown role"),
]


@pytest.mark.parametrize(("lines", "line", "fragment"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_each_problem_refuses_the_whole_file(db_session: Any, lines: list[str], line: int,
                                             fragment: str) -> None:
    apply(csv_bytes(*BASE))
    header = HEADER + (",Roles" if "role" in fragment else "")
    data = csv_bytes(*[ln + ("," if "role" in fragment and ln.count(",") == 5 else "")
                       for ln in lines], header=header)
    before_people, before_audit = people(), audit_count()
    plan = build_plan(data)
    assert not plan.ok
    assert any(p.line == line and fragment in p.message for p in plan.problems), plan.problems
    with pytest.raises(import_operations.ImportRefused):
        import_operations.apply_plan(plan)
    assert {k: (p.name, p.manager_id, p.active) for k, p in people().items()} == \
        {k: (p.name, p.manager_id, p.active) for k, p in before_people.items()}
    assert audit_count() == before_audit


def test_a_loop_names_every_line_in_it(db_session: Any) -> None:
    data = csv_bytes("E1,Ann,ann@example.org,,,E3", "E9,Top,top@example.org,,,",
                     "E2,Bob,bob@example.org,,,E1", "E3,Cat,cat@example.org,,,E2")
    [problem] = build_plan(data).problems
    assert problem.line == 2
    assert "(lines 2, 4, 5)" in problem.message


def test_email_of_someone_stored_but_not_in_the_file_is_refused(db_session: Any,
                                                                 make_person: Any) -> None:
    kept = make_person("Old Timer", email="old@example.org")
    data = csv_bytes(f"{kept.employee_id},Old Timer,old@example.org,,,",
                     "E1,Ann,ann@example.org,,,")
    assert build_plan(data).ok  # they are in the file: fine
    data = csv_bytes("E1,Ann,ann@example.org,,,", "E2,New,OLD@example.org,,,E1")
    [problem] = build_plan(data).problems
    assert problem.line == 3 and "Old Timer" in problem.message


def test_an_employee_id_in_other_capitals_than_someone_stored_is_refused(
        db_session: Any, make_person: Any) -> None:
    kept = make_person("Old Timer")
    data = csv_bytes("E1,Ann,ann@example.org,,,",
                     f"{kept.employee_id.lower()},Old Timer,old@example.org,,,E1")
    [problem] = build_plan(data).problems
    assert problem.line == 3 and "Old Timer" in problem.message


def test_a_missing_column_is_refused_on_line_one(db_session: Any) -> None:
    [problem] = build_plan(b"Employee ID,Name,Email\nE1,Ann,ann@example.org\n").problems
    assert problem.line == 1 and "manager" in problem.message


def test_many_problems_are_all_reported_in_line_order(db_session: Any) -> None:
    data = csv_bytes("E1,,ann@example.org,,,", "E2,Bob,not-an-email,,,E1",
                     "E3,Cat,cat@example.org,,,E77")
    assert [p.line for p in build_plan(data).problems] == [2, 3, 4]


def test_an_admin_cannot_deactivate_themselves(org: Any) -> None:
    data = csv_bytes(row(org.md), row(org.skip, org.md))
    plan = build_plan(data, actor_id=org.admin.id)
    assert not plan.ok and "your own account" in plan.problems[0].message
    assert build_plan(data).ok  # the command line has no account to lose


# ---- the difference ----


def test_reimporting_an_unchanged_file_changes_nothing_but_the_summary(org: Any) -> None:
    data = org_csv(org)
    snapshot = {k: (p.path, p.updated_at, p.session_version) for k, p in people().items()}
    before = audit_count()
    plan = apply(data)
    assert not plan.has_changes and plan.unchanged == 8
    assert {k: (p.path, p.updated_at, p.session_version) for k, p in people().items()} == \
        snapshot
    [event] = new_events(before)
    assert event.action == "people.imported"
    assert event.after["sha256"] == plan.sha256 and event.after["unchanged"] == 8


def test_changed_fields_are_listed_and_audited(org: Any) -> None:
    data = org_csv(org).replace(b"Lea Learner", b"Lea Renamed").replace(
        org.learner.email.encode(), b"lea.new@example.org")
    before = audit_count()
    plan = build_plan(data)
    [entry] = plan.changed
    assert entry.employee_id == org.learner.employee_id
    assert entry.fields == ("name", "email") and entry.line == 5
    import_operations.apply_plan(plan)
    learner = people()[org.learner.employee_id]
    assert learner.name == "Lea Renamed" and learner.email_key == "lea.new@example.org"
    actions = [(e.action, e.object_id) for e in new_events(before)]
    assert actions == [("people.imported", None), ("person.updated", str(learner.id))]


def test_two_people_can_swap_email_addresses(org: Any) -> None:
    a, b = org.learner.email, org.other_learner.email
    data = org_csv(org).replace(a.encode(), b"@swap@").replace(b.encode(), a.encode()) \
        .replace(b"@swap@", b.encode())
    apply(data)
    found = people()
    assert found[org.learner.employee_id].email == b
    assert found[org.other_learner.employee_id].email == a


def test_people_missing_from_the_file_are_deactivated_not_deleted(org: Any) -> None:
    gone = org.other_learner
    version = gone.session_version
    data = org_csv(org).replace(row(gone, org.unrelated).encode() + b"\n", b"")
    before = audit_count()
    with received(signals.people_deactivated) as calls:
        plan = apply(data)
    assert [e.employee_id for e in plan.deactivated] == [gone.employee_id]
    stored = people()[gone.employee_id]
    assert stored.active is False and stored.session_version == version + 1
    assert calls == [{"person_ids": [gone.id]}]
    assert [(e.action, e.object_id) for e in new_events(before)][1:] == [
        ("person.deactivated", str(gone.id))]
    # a second run leaves them as they are and reports nothing
    assert not build_plan(data).has_changes


def test_people_back_in_the_file_are_reactivated(org: Any) -> None:
    without = org_csv(org).replace(row(org.other_learner, org.unrelated).encode() + b"\n", b"")
    apply(without)
    plan = apply(org_csv(org))
    assert [e.employee_id for e in plan.reactivated] == [org.other_learner.employee_id]
    assert people()[org.other_learner.employee_id].active is True


def test_a_manager_change_moves_the_whole_subtree(org: Any) -> None:
    data = org_csv(org).replace(row(org.skip, org.md).encode(),
                                row(org.skip, org.unrelated).encode())
    with received(signals.manager_changed) as calls:
        plan = apply(data)
    assert [(e.employee_id, e.old_manager, e.new_manager) for e in plan.manager_changes] == [
        (org.skip.employee_id, org.md.employee_id, org.unrelated.employee_id)]
    found = people()
    md, unrelated = found[org.md.employee_id], found[org.unrelated.employee_id]
    learner = found[org.learner.employee_id]
    assert learner.path == f"/{md.id}/{unrelated.id}/{org.skip.id}/{org.line.id}/{learner.id}/"
    assert learner.depth == 4
    assert_paths_consistent()
    [call] = calls
    assert call["changes"] == [signals.ManagerChange(org.skip.id, org.md.id, org.unrelated.id)]


def test_inactive_people_under_a_moved_manager_keep_consistent_paths(org: Any) -> None:
    from people.operations import deactivate

    deactivate(org.learner)  # inactive, not in the file, still reports to line
    db.session.flush()
    data = org_csv(org).replace(row(org.learner, org.line).encode() + b"\n", b"") \
        .replace(row(org.line, org.skip).encode(), row(org.line, org.unrelated).encode())
    apply(data)
    learner = people()[org.learner.employee_id]
    assert learner.active is False and learner.manager_id == org.line.id
    assert learner.path.endswith(f"/{org.unrelated.id}/{org.line.id}/{learner.id}/")
    assert_paths_consistent()


def test_new_people_can_manage_existing_people(org: Any) -> None:
    data = org_csv(org, "N1,Nia New,nia@example.org,Head,Ops," + org.md.employee_id) \
        .replace(row(org.unrelated, org.md).encode(), row(org.unrelated, None, manager="N1")
                 .encode())
    plan = apply(data)
    nia = people()["N1"]
    assert [e.employee_id for e in plan.added] == ["N1"]
    assert people()[org.other_learner.employee_id].path == \
        f"/{org.md.id}/{nia.id}/{org.unrelated.id}/{org.other_learner.id}/"
    assert_paths_consistent()


def test_roles_column_grants_and_removes_roles(org: Any) -> None:
    header = HEADER + ",Roles"
    lines = [ln + "," for ln in org_csv(org).decode().splitlines()[1:]]
    lines = [ln + ("L&D; admin" if ln.startswith(org.learner.employee_id) else "admin"
                   if ln.startswith(org.admin.employee_id) else "") for ln in lines]
    apply(csv_bytes(*lines, header=header))
    found = people()
    assert found[org.learner.employee_id].roles == {"ld", "admin"}
    assert found[org.ld.employee_id].roles == frozenset()  # not listed: removed
    assert found[org.admin.employee_id].roles == {"admin"}


def test_without_a_roles_column_roles_are_left_alone(org: Any) -> None:
    apply(org_csv(org))
    assert people()[org.ld.employee_id].roles == {"ld"}


def test_large_changes_are_audited_in_batches(org: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(import_operations, "PER_PERSON_LIMIT", 2)
    monkeypatch.setattr(import_operations, "BATCH", 2)
    extra = [f"N{i},New {i},new{i}@example.org,,,{org.line.employee_id}" for i in range(5)]
    before = audit_count()
    apply(org_csv(org, *extra))
    events = new_events(before)
    assert [e.action for e in events] == ["people.imported"] + ["people.created"] * 3
    named = [p["after"]["employee_id"] for e in events[1:] for p in e.after["people"]]
    assert named == [f"N{i}" for i in range(5)]
    assert verify_chain().ok


def test_first_load_of_a_generated_org(db_session: Any, monkeypatch: Any) -> None:
    import io

    monkeypatch.setattr(import_operations, "ANALYZE_AFTER", 100)  # refreshes the statistics
    from bench.generate_org import generate, write_csv

    buffer = io.StringIO()
    write_csv(generate(600, depth=6, seed=7), buffer)
    before = audit_count()
    plan = apply(buffer.getvalue().encode())
    assert len(plan.added) == 600
    assert db.session.scalar(select(func.count()).select_from(Person)) == 600
    assert max(p.depth for p in people().values()) == 5
    assert_paths_consistent()
    assert len(new_events(before)) == 601
    assert verify_chain().ok
    assert not build_plan(buffer.getvalue().encode()).has_changes


# ---- the command ----


def _cli(app: Any, tmp_path: Path, data: bytes, *args: str) -> Any:
    path = tmp_path / "org.csv"
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["people", "import", str(path), *args])


def test_cli_dry_run_prints_the_difference_and_saves_nothing(app: Any, org: Any,
                                                            tmp_path: Path) -> None:
    data = org_csv(org, f"N1,Nia New,nia@example.org,Nurse,Ward 1,{org.line.email}") \
        .replace(row(org.skip, org.md).encode(), row(org.skip, org.unrelated).encode()) \
        .replace(row(org.other_learner, org.unrelated).encode() + b"\n", b"") \
        .replace(b"Lea Learner,", b"Lea Renamed,")
    before = audit_count()
    result = _cli(app, tmp_path, data, "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Added: 1" in out and f"+ N1  Nia New (line 9), manager {org.line.employee_id}" in out
    assert "Changed: 1" in out and "Lea Renamed (line 5): name" in out
    assert "Manager changes: 1" in out
    assert f"{org.md.employee_id} → {org.unrelated.employee_id}" in out
    assert "Deactivated: 1" in out and f"- {org.other_learner.employee_id}" in out
    assert "Dry run: nothing was saved." in out
    assert "N1" not in people() and audit_count() == before
    assert people()[org.other_learner.employee_id].active is True
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_cli_import_commits_and_records_a_run(app: Any, org: Any, tmp_path: Path) -> None:
    data = org_csv(org, f"N1,Nia New,nia@example.org,Nurse,Ward 1,{org.line.employee_id}")
    result = _cli(app, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert "Imported 9 rows from org.csv" in result.output
    assert people()["N1"].manager_id == org.line.id
    run = db.session.scalars(select(ImportRun)).one()
    assert (run.source, run.status, run.counts["added"]) == ("cli", "done", 1)


def test_cli_refusal_lists_problems_and_exits_nonzero(app: Any, org: Any,
                                                      tmp_path: Path) -> None:
    data = org_csv(org, "N1,Nia New,nia@example.org,,,E404", "N2,Ned,bad-email,,,")
    before = audit_count()
    result = _cli(app, tmp_path, data)
    assert result.exit_code == 1
    assert "line 10: manager E404 is not in the file" in result.output
    assert "line 11: \"bad-email\" is not a valid e-mail address" in result.output
    assert "N1" not in people() and audit_count() == before


def test_cli_map_option(app: Any, org: Any, tmp_path: Path) -> None:
    data = org_csv(org, header="Staff Number,Name,Email,Job Title,Unit,Reports To Person")
    result = _cli(app, tmp_path, data, "--map", "Staff Number=employee_id",
                  "--map", "Reports To Person=manager", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Unchanged: 8" in result.output
    result = _cli(app, tmp_path, data, "--map", "Staff Number=payroll")
    assert result.exit_code == 2 and "unknown field" in result.output


# ---- property: any two org charts in a row leave the stored chart exactly as the last file ----

forests = st.integers(min_value=1, max_value=14).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.integers(min_value=0, max_value=10_000),
                                             min_size=n, max_size=n)))


def _forest_csv(ids: list[int], picks: list[int]) -> tuple[bytes, dict[str, str | None]]:
    """People ``ids`` in a random forest (each manager earlier in the list), rows reversed so
    reports come before managers; some managers given by e-mail."""
    managers: dict[str, str | None] = {}
    lines = []
    for i, (person, pick) in enumerate(zip(ids, picks, strict=True)):
        boss = None if i == 0 or pick % 4 == 0 else ids[pick % i]
        managers[f"P{person}"] = None if boss is None else f"P{boss}"
        ref = "" if boss is None else (f"p{boss}@example.org" if pick % 3 == 0 else f"P{boss}")
        lines.append(f"P{person},Person {person},p{person}@example.org,,,{ref}")
    return csv_bytes(*reversed(lines)), managers


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=forests, second=forests)
def test_two_imports_in_a_row_leave_exactly_the_second_chart(db_session: Any, first: Any,
                                                              second: Any) -> None:
    saved = db.session.begin_nested()
    try:
        (n1, picks1), (n2, picks2) = first, second
        ids1 = list(range(n1))
        ids2 = [i for i in range(0, n1 + n2) if (i * 7 + n2) % 3 != 0][:n2] or [n1]
        apply(_forest_csv(ids1, picks1)[0])
        data, managers = _forest_csv(ids2, (picks2 + [0] * len(ids2))[:len(ids2)])
        apply(data)
        found = people()
        by_id = {p.id: p.employee_id for p in found.values()}
        assert {k for k, p in found.items() if p.active} == set(managers)
        for emp, boss in managers.items():
            assert by_id.get(found[emp].manager_id) == boss
        assert_paths_consistent()
        assert not build_plan(data).has_changes
    finally:
        saved.rollback()
