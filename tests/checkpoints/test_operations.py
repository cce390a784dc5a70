"""Programme and checkpoint authoring: validation, pinning, ordering, removal, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from checkpoints import operations as ops
from checkpoints import queries
from checkpoints.models import Checkpoint
from checkpoints.operations import CheckpointFields, CheckpointsError
from clearance.audit import AuditEvent
from clearance.extensions import db
from tests.checkpoints.helpers import programme, rubric_version


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_create_edit_publish_archive_restore(org):
    prog = ops.create_programme(author=org.ld, title="  Coaching conversations ",
                                theme="Leadership", audience="managers",
                                release_date=dt.date(2026, 2, 1))
    assert prog.status == "draft" and prog.title == "Coaching conversations"
    assert prog.created_by_id == org.ld.id
    with pytest.raises(CheckpointsError, match="at least one checkpoint"):
        ops.publish_programme(prog)
    ops.add_checkpoint(prog, CheckpointFields(title="Plan", kind="formative"))
    ops.update_programme(prog, title="Coaching conversations", theme="Leadership",
                         audience="managers", release_date=dt.date(2026, 3, 1))
    assert prog.release_date == dt.date(2026, 3, 1)
    ops.publish_programme(prog)
    assert prog.status == "published"
    with pytest.raises(CheckpointsError):
        ops.publish_programme(prog)
    ops.archive_programme(prog)
    with pytest.raises(CheckpointsError, match="archived"):
        ops.update_programme(prog, title="New title")
    with pytest.raises(CheckpointsError, match="archived"):
        ops.add_checkpoint(prog, CheckpointFields(title="More", kind="formative"))
    ops.restore_programme(prog)
    assert prog.status == "published"
    actions = _actions()
    for action in ("programme.created", "checkpoint.added", "programme.updated",
                   "programme.published", "programme.archived", "programme.restored"):
        assert action in actions


def test_update_without_change_records_nothing(org):
    prog = programme(org.ld)
    before = len(_actions())
    ops.update_programme(prog, title=prog.title, summary=prog.summary, theme=prog.theme,
                         audience=prog.audience, release_date=prog.release_date,
                         kind=prog.kind, open_in_catalogue=prog.open_in_catalogue)
    assert len(_actions()) == before


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"audience": "directors"}, "audience"),
    ({"kind": "optional"}, "kind"),
    ({"release_date": "2026-01-01"}, "release_date"),
])
def test_programme_validation(org, fields, field):
    values = {"title": "Sepsis refresher", **fields}
    with pytest.raises(CheckpointsError) as err:
        ops.create_programme(author=org.ld, **values)
    assert err.value.field == field


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "  "}, "title"),
    ({"kind": "graded"}, "kind"),
    ({"approval_levels": 3}, "approval_levels"),
    ({"approval_levels": 0}, "approval_levels"),
    ({"min_evidence": -1}, "min_evidence"),
    ({"min_evidence": 51}, "min_evidence"),
    ({"allowed_evidence": ()}, "allowed_evidence"),
    ({"allowed_evidence": ("file", "video")}, "allowed_evidence"),
    ({"due_offset_days": -1}, "due_offset_days"),
    ({"kind": "summative", "rubric_version_id": None}, "rubric_version_id"),
    ({"rubric_version_id": 999999}, "rubric_version_id"),
])
def test_checkpoint_validation(org, changes, field):
    prog = programme(org.ld, publish=False, checkpoints=0)
    values = {"title": "Reflect", "kind": "formative", **changes}
    with pytest.raises(CheckpointsError) as err:
        ops.add_checkpoint(prog, CheckpointFields(**values))
    assert err.value.field == field
    assert prog.checkpoints == []


def test_summative_needs_a_published_version_and_pins_it(org):
    prog = programme(org.ld, publish=False, checkpoints=0)
    draft = rubric_version("Draft rubric", status="draft")
    with pytest.raises(CheckpointsError, match="published rubric version"):
        ops.add_checkpoint(prog, CheckpointFields(title="Assess", kind="summative",
                                                  rubric_version_id=draft.id))
    archived = rubric_version("Old rubric", rubric_status="archived")
    with pytest.raises(CheckpointsError):
        ops.add_checkpoint(prog, CheckpointFields(title="Assess", kind="summative",
                                                  rubric_version_id=archived.id))
    version = rubric_version()
    assert version.pinned_at is None
    cp = ops.add_checkpoint(prog, CheckpointFields(
        title="Assess", kind="summative", approval_levels=2, rubric_version_id=version.id,
        allowed_evidence=("reflection", "file"), min_evidence=2, due_offset_days=28))
    assert version.pinned_at is not None
    assert cp.allowed_kinds == ("file", "reflection")  # canonical order
    assert cp.approval_levels == 2 and cp.due_offset_days == 28


def test_editing_keeps_a_pinned_version_of_a_since_archived_rubric(org):
    version = rubric_version()
    prog = programme(org.ld, publish=False, checkpoints=0)
    cp = ops.add_checkpoint(prog, CheckpointFields(title="Assess", kind="summative",
                                                   rubric_version_id=version.id))
    version.rubric.status = "archived"
    ops.update_checkpoint(cp, CheckpointFields(title="Assess again", kind="summative",
                                               rubric_version_id=version.id))
    assert cp.title == "Assess again"
    assert "checkpoint.updated" in _actions()


def test_move_up_and_down(org):
    prog = programme(org.ld, publish=False, checkpoints=3)
    first, second, third = prog.checkpoints
    assert ops.move_checkpoint(third, "up") is True
    db.session.expire_all()
    assert [c.title for c in prog.checkpoints] == ["Step 1", "Step 3", "Step 2"]
    assert ops.move_checkpoint(db.session.get(Checkpoint, first.id), "up") is False
    assert ops.move_checkpoint(db.session.get(Checkpoint, first.id), "down") is True
    db.session.expire_all()
    assert [c.title for c in prog.checkpoints] == ["Step 3", "Step 1", "Step 2"]
    assert [c.position for c in prog.checkpoints] == [0, 1, 2]
    with pytest.raises(CheckpointsError):
        ops.move_checkpoint(db.session.get(Checkpoint, second.id), "sideways")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["up", "down"])),
                      max_size=12))
def test_moves_keep_positions_a_permutation(org, moves):
    prog = programme(org.ld, publish=False, checkpoints=4, title="Property")
    expected = [c.title for c in prog.checkpoints]
    for index, direction in moves:
        db.session.expire_all()
        ordered = list(prog.checkpoints)
        moved = ops.move_checkpoint(ordered[index], direction)
        target = index - 1 if direction == "up" else index + 1
        assert moved == (0 <= target < 4)
        if moved:
            expected[index], expected[target] = expected[target], expected[index]
    db.session.expire_all()
    assert [c.title for c in prog.checkpoints] == expected
    assert sorted(c.position for c in prog.checkpoints) == [0, 1, 2, 3]
    ops.archive_programme(prog)  # keep later examples' programmes apart


def test_remove_renumbers_and_respects_usage(org, monkeypatch):
    prog = programme(org.ld, publish=True, checkpoints=3)
    first, second, third = prog.checkpoints
    ops.remove_checkpoint(second)
    assert [(c.title, c.position) for c in prog.checkpoints] == [("Step 1", 0), ("Step 3", 1)]
    assert "checkpoint.removed" in _actions()
    monkeypatch.setattr(queries._USAGE, "checks", [lambda ids: {third.id} & set(ids)])
    assert ops.may_remove_checkpoint(third) is False
    with pytest.raises(CheckpointsError, match="already submitted"):
        ops.remove_checkpoint(third)
    assert ops.may_remove_checkpoint(first) is True
    ops.remove_checkpoint(first)
    monkeypatch.setattr(queries._USAGE, "checks", [])
    with pytest.raises(CheckpointsError, match="at least one"):
        ops.remove_checkpoint(third)


def test_register_usage_check_is_consulted(org, monkeypatch):
    monkeypatch.setattr(queries._USAGE, "checks", [])
    seen: list[list[int]] = []

    def check(ids: list[int]) -> set[int]:
        seen.append(ids)
        return set()

    queries.register_usage_check(check)
    queries.register_usage_check(check)
    assert queries.checkpoints_in_use([5, 6]) == set()
    assert seen == [[5, 6]]
