"""Enrolment rules: pull (self) and push (assigned), leaving, removal, due dates."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from checkpoints import operations as ops
from checkpoints import queries
from checkpoints.models import Enrolment
from checkpoints.operations import CheckpointsError
from checkpoints.queries import AssignTarget
from clearance.audit import AuditEvent
from clearance.extensions import db
from people.operations import deactivate
from tests.checkpoints.helpers import programme


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_self_enrol_is_idempotent_and_audited(org):
    prog = programme(org.ld)
    enrolment, created = ops.self_enrol(org.learner, prog)
    assert created and enrolment.source == "self" and enrolment.status == "active"
    again, created_again = ops.self_enrol(org.learner, prog)
    assert again.id == enrolment.id and created_again is False
    assert len(_events("enrolment.self_enrolled")) == 1


@pytest.mark.parametrize("setup", ["draft", "closed", "unreleased", "archived"])
def test_self_enrol_refused(org, setup):
    future = queries.today() + dt.timedelta(days=10)
    prog = programme(org.ld, publish=setup != "draft",
                     open_in_catalogue=setup != "closed",
                     release_date=future if setup == "unreleased" else None)
    if setup == "archived":
        ops.archive_programme(prog)
    with pytest.raises(CheckpointsError):
        ops.self_enrol(org.learner, prog)
    assert queries.enrolment_for(org.learner.id, prog.id) is None


def test_leave_elective_self_enrolment_and_come_back(org):
    prog = programme(org.ld)
    enrolment, _ = ops.self_enrol(org.learner, prog)
    assert ops.may_leave(enrolment)
    ops.leave(enrolment)
    assert enrolment.status == "left" and enrolment.left_at is not None
    with pytest.raises(CheckpointsError):
        ops.leave(enrolment)
    again, created = ops.self_enrol(org.learner, prog)
    assert created and again.id == enrolment.id and again.status == "active"
    assert again.left_at is None


def test_assigned_enrolment_cannot_be_left(org):
    prog = programme(org.ld)
    ops.assign(prog, AssignTarget("people", (org.learner.id,)), by=org.ld)
    enrolment = queries.enrolment_for(org.learner.id, prog.id)
    assert enrolment.source == "assigned" and enrolment.assigned_by_id == org.ld.id
    assert not ops.may_leave(enrolment)
    with pytest.raises(CheckpointsError, match="only Learning and Development"):
        ops.leave(enrolment)
    ops.remove_enrolment(enrolment, reason="wrong person")
    assert enrolment.status == "removed"
    with pytest.raises(CheckpointsError):
        ops.remove_enrolment(enrolment)


def test_mandatory_self_enrolment_cannot_be_left(org):
    prog = programme(org.ld, kind="mandatory")
    enrolment, _ = ops.self_enrol(org.learner, prog)
    with pytest.raises(CheckpointsError, match="mandatory"):
        ops.leave(enrolment)


def test_assignment_is_idempotent_and_keeps_existing_enrolments(org, make_person):
    prog = programme(org.ld)
    mine, _ = ops.self_enrol(org.learner, prog)
    target = AssignTarget("people", ops.people_ids([org.learner, org.other_learner, org.line]))
    preview = queries.assignment_preview(prog, target)
    assert (preview.total, preview.already, preview.new) == (3, 1, 2)
    first = ops.assign(prog, target, by=org.ld)
    assert (first.targeted, first.new, first.renewed, first.already) == (3, 2, 0, 1)
    second = ops.assign(prog, target, by=org.ld)
    assert (second.new, second.renewed, second.already) == (0, 0, 3)
    db.session.refresh(mine)
    assert mine.source == "self"  # already enrolled stays as it was
    assert db.session.scalar(select(func.count()).select_from(Enrolment)
                             .where(Enrolment.programme_id == prog.id)) == 3
    assert len(_events("enrolment.assigned")) == 1  # the no-op changed nothing
    event = _events("enrolment.assigned")[0]
    assert event.after["new_person_ids"] == sorted([org.other_learner.id, org.line.id])


def test_assignment_renews_ended_enrolments_as_assigned(org):
    prog = programme(org.ld)
    enrolment, _ = ops.self_enrol(org.learner, prog)
    ops.leave(enrolment)
    result = ops.assign(prog, AssignTarget("people", (org.learner.id,)), by=org.ld)
    assert (result.new, result.renewed) == (0, 1)
    db.session.refresh(enrolment)
    assert (enrolment.status, enrolment.source) == ("active", "assigned")
    assert enrolment.left_at is None and enrolment.assigned_by_id == org.ld.id


def test_unit_push_reaches_active_people_of_the_unit(org, make_person):
    prog = programme(org.ld, kind="mandatory")
    ward = [make_person(f"Ward Nine {n}", manager=org.line, unit="Ward 9") for n in range(3)]
    deactivate(ward[2])
    result = ops.assign(prog, AssignTarget("unit", unit="Ward 9"), by=org.ld)
    assert (result.targeted, result.new) == (2, 2)
    enrolled = set(db.session.scalars(select(Enrolment.person_id)
                                      .where(Enrolment.programme_id == prog.id)))
    assert enrolled == {ward[0].id, ward[1].id}


def test_all_managers_push(org, make_person):
    prog = programme(org.ld, audience="managers")
    lonely = make_person("Former Manager", manager=org.md)
    report = make_person("Only Report", manager=lonely)
    deactivate(report)  # a manager is someone with an *active* report
    expected = {org.md.id, org.skip.id, org.line.id, org.unrelated.id}
    assert queries.managers_count() == len(expected)
    result = ops.assign(prog, AssignTarget("managers"), by=org.ld)
    assert result.new == len(expected)
    enrolled = set(db.session.scalars(select(Enrolment.person_id)
                                      .where(Enrolment.programme_id == prog.id)))
    assert enrolled == expected


def test_assignment_refusals(org):
    draft = programme(org.ld, publish=False)
    with pytest.raises(CheckpointsError, match="Publish"):
        ops.assign(draft, AssignTarget("managers"), by=org.ld)
    prog = programme(org.ld)
    with pytest.raises(CheckpointsError):
        ops.assign(prog, AssignTarget("unit", unit=""), by=org.ld)
    with pytest.raises(CheckpointsError):
        ops.assign(prog, AssignTarget("people", ()), by=org.ld)
    with pytest.raises(ValueError):
        queries.assignment_targets(AssignTarget("everyone"))


def test_unreleased_programmes_may_be_assigned_and_due_dates_start_at_release(org):
    release = queries.today() + dt.timedelta(days=30)
    prog = programme(org.ld, release_date=release)
    ops.add_checkpoint(prog, ops.CheckpointFields(title="Later", kind="formative",
                                                  due_offset_days=14))
    ops.assign(prog, AssignTarget("people", (org.learner.id,)), by=org.ld)
    (enrolment,) = queries.my_programmes(org.learner)
    first, later = enrolment.programme.checkpoints
    assert queries.due_date(enrolment, first) is None
    assert queries.due_date(enrolment, later) == release + dt.timedelta(days=14)


def test_my_programmes_lists_current_enrolments_with_checkpoints(org):
    kept = programme(org.ld, title="Kept", checkpoints=2)
    gone = programme(org.ld, title="Gone")
    draft = programme(org.ld, title="Draft", publish=False)
    ops.self_enrol(org.learner, kept)
    left, _ = ops.self_enrol(org.learner, gone)
    ops.leave(left)
    db.session.add(Enrolment(person_id=org.learner.id, programme_id=draft.id, source="self"))
    db.session.flush()
    enrolments = queries.my_programmes(org.learner)
    assert [e.programme.title for e in enrolments] == ["Kept"]
    assert [c.title for c in enrolments[0].programme.checkpoints] == ["Step 1", "Step 2"]
    today = queries.today()
    ops.update_checkpoint(kept.checkpoints[1], ops.CheckpointFields(
        title="Step 2", kind="formative", due_offset_days=7))
    assert queries.due_date(enrolments[0], kept.checkpoints[1]) == today + dt.timedelta(days=7)


def test_people_by_reference(org):
    found, missing = queries.people_by_reference(
        [org.learner.employee_id, org.line.email.upper(), "nobody@example.org", " "])
    assert {p.id for p in found} == {org.learner.id, org.line.id}
    assert missing == ["nobody@example.org"]
