"""Rubric operations: lifecycle, immutability at the operation level, editing, copies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from clearance.audit import AuditEvent
from rubrics import operations as ops
from rubrics.content import content_of
from rubrics.models import CommentSnippet, Criterion, Level, RubricVersion
from tests.rubrics.helpers import content, make_rubric


def _audit_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(AuditEvent))


def test_create_makes_a_draft_version_one_with_one_audit_event(db_session, org):
    before = _audit_count(db_session)
    rubric = ops.create_rubric(title="  Handover  ", description="SBAR", owner=org.ld,
                               by=org.ld, content=content(criteria=2))
    assert rubric.title == "Handover" and rubric.status == "draft"
    [version] = rubric.versions
    assert (version.number, version.status, version.created_by_id) == (1, "draft", org.ld.id)
    assert [c.title for c in version.criteria] == ["Criterion 1", "Criterion 2"]
    assert [lv.name for lv in version.scale] == ["Not yet", "Meets", "Exceeds"]
    assert _audit_count(db_session) == before + 1


def test_publish_checks_the_draft_is_usable(db_session, org):
    rubric = ops.create_rubric(title="Empty", owner=org.ld)
    with pytest.raises(ops.PublishError) as refused:
        ops.publish(rubric.versions[0])
    assert "Add at least one criterion." in refused.value.problems
    assert any("pass rule" in p for p in refused.value.problems)
    assert rubric.versions[0].status == "draft"

    version = make_rubric(org.ld, publish=False, pass_min_position=5)
    with pytest.raises(ops.PublishError, match="pass level is above the top level"):
        ops.publish(version)
    version = make_rubric(org.ld, publish=False, pass_min_position=None, pass_min_points="99")
    with pytest.raises(ops.PublishError, match="above the highest possible total"):
        ops.publish(version)


def _every_edit(version: RubricVersion) -> list:
    criterion = version.criteria[0]
    level = version.scale[0] if version.shared_scale else criterion.levels[0]
    return [
        ("add criterion", lambda: ops.add_criterion(version, title="New one")),
        ("update criterion", lambda: ops.update_criterion(criterion, title="Renamed")),
        ("delete criterion", lambda: ops.delete_criterion(criterion)),
        ("move criterion", lambda: ops.move_criterion(criterion, "down")),
        ("add level", lambda: ops.add_level(version, name="Outstanding",
                                            points=Decimal(9))),
        ("update level", lambda: ops.update_level(level, name="Renamed", points=Decimal(1))),
        ("delete level", lambda: ops.delete_level(level)),
        ("move level", lambda: ops.move_level(level, "up")),
        ("settings", lambda: ops.update_version_settings(version, pass_min_position=0,
                                                         pass_min_points=None)),
        ("scale mode", lambda: ops.set_scale_mode(version, shared=False)),
        ("publish", lambda: ops.publish(version)),
        ("discard", lambda: ops.discard_draft(version)),
    ]


@pytest.mark.parametrize("edit", range(12))
def test_a_pinned_version_refuses_every_edit(db_session, org, edit):
    version = make_rubric(org.ld, pin=True)
    assert version.pinned_at is not None and version.is_immutable
    snapshot = content_of(version)
    name, attempt = _every_edit(version)[edit]
    with pytest.raises(ops.RubricImmutableError, match="in use by a checkpoint"):
        attempt()
    db_session.expire_all()
    assert content_of(db_session.get(RubricVersion, version.id)) == snapshot, name


def test_a_published_version_refuses_edits_too(db_session, org):
    version = make_rubric(org.ld)
    with pytest.raises(ops.RubricImmutableError, match="is published"):
        ops.add_criterion(version, title="Sneaky")
    with pytest.raises(ops.RubricImmutableError):
        ops.update_level(version.scale[1], name="Meets", points=Decimal(0))
    assert version.scale[1].points == Decimal(2)


def test_pin_only_published_versions_and_only_once(db_session, org):
    draft = make_rubric(org.ld, publish=False)
    with pytest.raises(ops.RubricError, match="only a published version"):
        ops.pin_version(draft)
    ops.publish(draft)
    before = _audit_count(db_session)
    ops.pin_version(draft)
    first = draft.pinned_at
    ops.pin_version(draft)
    assert draft.pinned_at == first
    assert _audit_count(db_session) == before + 1


def test_new_draft_copies_the_latest_published_and_publishing_leaves_it_alone(db_session, org):
    v1 = make_rubric(org.ld, pin=True)
    rubric = v1.rubric
    v2 = ops.new_draft(rubric, by=org.ld, change_note="Clearer descriptors")
    assert (v2.number, v2.status, v2.change_note) == (2, "draft", "Clearer descriptors")
    assert [c.key for c in v2.criteria] == [c.key for c in v1.criteria]
    assert {c.id for c in v2.criteria}.isdisjoint({c.id for c in v1.criteria})
    with pytest.raises(ops.RubricError, match="already a draft"):
        ops.new_draft(rubric)
    ops.update_level(v2.scale[1], name="Meets", points=Decimal(5),
                     descriptor="Reliably, unprompted.")
    ops.publish(v2)
    db_session.expire_all()
    v1 = db_session.get(RubricVersion, v1.id)
    assert v1.scale[1].points == Decimal(2) and v1.scale[1].descriptor == "Shown reliably."
    assert v1.status == "published" and ops.latest_published(v1.rubric).number == 2


def test_discard_draft(db_session, org):
    v1 = make_rubric(org.ld)
    v2 = ops.new_draft(v1.rubric)
    ops.discard_draft(v2)
    assert [v.number for v in v1.rubric.versions] == [1]
    only = make_rubric(org.ld, publish=False, title="Lonely")
    with pytest.raises(ops.RubricError, match="only version"):
        ops.discard_draft(only)


def test_duplicate_copies_content_and_comment_bank(db_session, org):
    v1 = make_rubric(org.ld, pin=True)
    ops.add_snippet(v1.criteria[0], "Clear structure throughout.", by=org.line)
    copy = ops.duplicate_rubric(v1.rubric, by=org.admin)
    assert copy.title == "Copy of Reflective practice" and copy.status == "draft"
    assert copy.owner_id == org.admin.id
    assert content_of(copy.versions[0]).criteria == content_of(v1).criteria
    texts = db_session.scalars(select(CommentSnippet.text)
                               .where(CommentSnippet.rubric_id == copy.id)).all()
    assert texts == ["Clear structure throughout."]


def test_archive_and_restore(db_session, org):
    v1 = make_rubric(org.ld)
    ops.new_draft(v1.rubric)
    ops.archive(v1.rubric, reason="replaced")
    assert v1.rubric.status == "archived"
    with pytest.raises(ops.RubricError, match="archived"):
        ops.add_criterion(ops.draft_of(v1.rubric), title="More")
    ops.restore(v1.rubric)
    assert v1.rubric.status == "published"


def test_moving_criteria_and_levels(db_session, org):
    version = make_rubric(org.ld, publish=False)
    first = version.criteria[0]
    assert ops.move_criterion(first, "down") is True
    db_session.expire_all()
    assert [c.title for c in version.criteria] == ["Criterion 2", "Criterion 1", "Criterion 3"]
    assert ops.move_criterion(version.criteria[0], "up") is False  # already at the top
    assert ops.move_criterion(version.criteria[2], "down") is False
    with pytest.raises(ops.RubricError):
        ops.move_criterion(version.criteria[1], "sideways")
    # the pass rule follows its level ("Meets" at position 1)
    meets = version.scale[1]
    ops.move_level(meets, "up")
    db_session.expire_all()
    assert [lv.name for lv in version.scale] == ["Meets", "Not yet", "Exceeds"]
    assert version.pass_min_position == 0
    ops.move_level(version.scale[1], "up")  # "Not yet" back down... up to 0
    db_session.expire_all()
    assert [lv.name for lv in version.scale] == ["Not yet", "Meets", "Exceeds"]
    assert version.pass_min_position == 1
    ops.delete_level(version.scale[0])
    db_session.expire_all()
    assert [(lv.name, lv.position) for lv in version.scale] == [("Meets", 0), ("Exceeds", 1)]
    assert version.pass_min_position == 0
    ops.delete_level(version.scale[0])
    assert version.pass_min_position is None


def test_field_checks(db_session, org):
    version = make_rubric(org.ld, publish=False)
    cases = [
        (lambda: ops.add_criterion(version, title="  "), "title"),
        (lambda: ops.add_criterion(version, title="criterion 1"), "title"),
        (lambda: ops.add_criterion(version, title="W", weight=Decimal(0)), "weight"),
        (lambda: ops.add_level(version, name="meets", points=Decimal(1)), "name"),
        (lambda: ops.add_level(version, name="Great", points=None), "points"),
        (lambda: ops.add_level(version, name="Great", points=Decimal(-1)), "points"),
        (lambda: ops.add_level(version, name="Great", points=Decimal("1.005")), "points"),
        (lambda: ops.add_level(version, name="x" * 81, points=Decimal(1)), "name"),
        (lambda: ops.add_level(version, name="Great", points=Decimal(1),
                               criterion=version.criteria[0]), None),
    ]
    for attempt, field in cases:
        with pytest.raises(ops.RubricError) as refused:
            attempt()
        assert refused.value.field == field


def test_scale_mode_switch_keeps_levels(db_session, org):
    version = make_rubric(org.ld, publish=False)
    ops.set_scale_mode(version, shared=False)
    assert not version.shared_scale and version.scale == []
    assert all([lv.name for lv in c.levels] == ["Not yet", "Meets", "Exceeds"]
               for c in version.criteria)
    level = ops.add_level(version, name="Outstanding", points=Decimal(4),
                          criterion=version.criteria[1])
    assert level.criterion_id == version.criteria[1].id and level.position == 3
    ops.set_scale_mode(version, shared=True)
    assert [lv.name for lv in version.scale] == ["Not yet", "Meets", "Exceeds"]
    leftovers = db_session.scalar(select(func.count()).select_from(Level).where(
        Level.version_id == version.id, Level.criterion_id.is_not(None)))
    assert leftovers == 0


def test_comment_bank_follows_the_criterion_across_versions(db_session, org):
    v1 = make_rubric(org.ld)
    criterion = v1.criteria[0]
    snippet = ops.add_snippet(criterion, "  Clear and specific.  ", by=org.line)
    assert snippet.text == "Clear and specific."
    assert ops.add_snippet(criterion, "Clear and specific.") is snippet  # no duplicates
    with pytest.raises(ops.RubricError):
        ops.add_snippet(criterion, "   ")
    v2 = ops.new_draft(v1.rubric)
    same = db_session.scalar(select(Criterion).where(Criterion.version_id == v2.id,
                                                     Criterion.position == 0))
    assert same.key == criterion.key
    ops.delete_snippet(snippet)
    assert db_session.scalar(select(func.count()).select_from(CommentSnippet)) == 0


def test_edits_check_the_database_not_a_stale_copy(db_session, org):
    """Another request published (or pinned) the version after this one loaded it: the edit
    is refused all the same (ensure_editable reads and locks the row)."""
    from sqlalchemy import update

    version = make_rubric(org.ld, publish=False)
    db_session.execute(update(RubricVersion).where(RubricVersion.id == version.id)
                       .values(status="published")
                       .execution_options(synchronize_session=False))
    assert version.status == "draft"  # the stale copy
    with pytest.raises(ops.RubricImmutableError, match="is published"):
        ops.add_criterion(version, title="Sneaky")
    other = make_rubric(org.ld, title="Other")
    db_session.execute(update(RubricVersion).where(RubricVersion.id == other.id)
                       .values(pinned_at=func.now())
                       .execution_options(synchronize_session=False))
    before = _audit_count(db_session)
    ops.pin_version(other)  # already pinned elsewhere: no second pin, no second event
    assert _audit_count(db_session) == before
    assert other.pinned_at is not None
