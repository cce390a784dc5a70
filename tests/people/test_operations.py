"""Writes to people and the org chart: paths and depths stay right for whole subtrees, loops and
duplicates are refused, and every change leaves one audit event."""

from __future__ import annotations

import inspect as pyinspect

import pytest
from sqlalchemy import func, select

from clearance.audit import AuditEvent, verify_chain
from clearance.mail import OutboxMessage
from people import operations, signals
from people.models import Person
from people.operations import PeopleError, create_person, deactivate, reactivate, update_person
from tests.people.tree import assert_tree_consistent


def _events(db_session, since: int = 0) -> list[AuditEvent]:
    return list(db_session.scalars(
        select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)))


def _last_event_id(db_session) -> int:
    return db_session.scalar(select(func.max(AuditEvent.id))) or 0


# ---- create ----


def test_create_sets_path_and_depth(org, db_session):
    assert org.md.path == f"/{org.md.id}/" and org.md.depth == 0
    assert org.learner.path == f"/{org.md.id}/{org.skip.id}/{org.line.id}/{org.learner.id}/"
    assert org.learner.depth == 3
    assert_tree_consistent(db_session)


def test_create_records_one_event(org, db_session):
    mark = _last_event_id(db_session)
    person = create_person(employee_id="E1", name="  New Person ", email=" New.Person@Example.org ",
                           manager=org.line, roles={"ld"})
    events = _events(db_session, mark)
    assert [e.action for e in events] == ["person.created"]
    assert events[0].object_id == str(person.id)
    assert events[0].after["name"] == "New Person"
    assert events[0].after["roles"] == ["ld"]
    assert person.email == "New.Person@Example.org"
    assert person.email_key == "new.person@example.org"


@pytest.mark.parametrize("email", ["{e}", "{E}", "  {e}  ", "{E} "])
def test_duplicate_email_is_refused_case_insensitively(org, db_session, email):
    taken = email.format(e=org.learner.email, E=org.learner.email.upper())
    with pytest.raises(PeopleError) as refused:
        create_person(employee_id="E2", name="Clash", email=taken, manager=org.line)
    assert refused.value.field == "email"


@pytest.mark.parametrize("employee_id", ["{id}", " {id}", "{id} "])
def test_duplicate_employee_id_is_refused(org, db_session, employee_id):
    with pytest.raises(PeopleError) as refused:
        create_person(employee_id=employee_id.format(id=org.learner.employee_id),
                      name="Clash", email="someone.new@example.org", manager=org.line)
    assert refused.value.field == "employee_id"


def test_refused_create_records_nothing(org, db_session):
    mark = _last_event_id(db_session)
    with pytest.raises(PeopleError):
        create_person(employee_id="E3", name="Clash", email=org.learner.email.upper())
    assert _events(db_session, mark) == []


# ---- update ----


def test_update_records_before_and_after(org, db_session):
    mark = _last_event_id(db_session)
    update_person(org.learner, name="Lea Renamed", job_title="Senior Nurse", reason="promotion")
    (event,) = _events(db_session, mark)
    assert event.action == "person.updated"
    assert event.before["name"] == "Lea Learner"
    assert event.after["name"] == "Lea Renamed"
    assert event.after["job_title"] == "Senior Nurse"
    assert event.reason == "promotion"


def test_update_without_change_records_nothing(org, db_session):
    mark = _last_event_id(db_session)
    update_person(org.learner, name=org.learner.name, manager=org.line)
    assert _events(db_session, mark) == []


def test_role_change_is_recorded(org, db_session):
    mark = _last_event_id(db_session)
    update_person(org.learner, roles={"ld"})
    (event,) = _events(db_session, mark)
    assert (event.before["roles"], event.after["roles"]) == ([], ["ld"])
    with pytest.raises(ValueError):
        update_person(org.learner, roles={"superuser"})


def test_update_email_clash_is_refused_but_own_email_in_other_case_is_fine(org, db_session):
    with pytest.raises(PeopleError) as refused:
        update_person(org.learner, email=org.line.email.upper())
    assert refused.value.field == "email"
    update_person(org.learner, email=org.learner.email.upper())
    assert org.learner.email_key == org.learner.email.lower()


def test_update_employee_id_clash_is_refused(org, db_session):
    with pytest.raises(PeopleError) as refused:
        update_person(org.learner, employee_id=org.line.employee_id + " ")
    assert refused.value.field == "employee_id"


def test_unknown_fields_are_refused(org, db_session):
    with pytest.raises(PeopleError):
        update_person(org.learner, path="/1/")
    with pytest.raises(PeopleError):
        update_person(org.learner, active=False)


# ---- moving subtrees ----


def _deep_tree(make_person, org):
    """line -> a -> b -> c, plus a second child of a."""
    a = make_person("Ann A", manager=org.line)
    b = make_person("Ben B", manager=a)
    c = make_person("Cat C", manager=b)
    a2 = make_person("Ann Two", manager=a)
    return a, b, c, a2


def test_move_rewrites_the_whole_subtree(org, make_person, db_session):
    a, b, c, a2 = _deep_tree(make_person, org)
    mark = _last_event_id(db_session)
    received = []

    def listener(_sender, changes):
        received.extend(changes)

    signals.manager_changed.connect(listener)
    try:
        update_person(a, manager=org.unrelated, reason="restructure")
    finally:
        signals.manager_changed.disconnect(listener)
    assert a.manager_id == org.unrelated.id
    assert a.path == f"{org.unrelated.path}{a.id}/"
    assert a.depth == org.unrelated.depth + 1
    assert b.path == f"{a.path}{b.id}/" and b.depth == a.depth + 1
    assert c.path == f"{b.path}{c.id}/" and c.depth == a.depth + 2
    assert a2.path == f"{a.path}{a2.id}/"
    assert_tree_consistent(db_session)
    assert [e.action for e in _events(db_session, mark)] == ["person.updated",
                                                             "person.manager_changed"]
    assert received == [signals.ManagerChange(a.id, org.line.id, org.unrelated.id)]


def test_move_to_the_top_and_back(org, make_person, db_session):
    a, b, c, _ = _deep_tree(make_person, org)
    update_person(a, manager=None)
    assert (a.path, a.depth) == (f"/{a.id}/", 0)
    assert (c.path, c.depth) == (f"/{a.id}/{b.id}/{c.id}/", 2)
    assert_tree_consistent(db_session)
    update_person(a, manager=org.learner)
    assert c.depth == org.learner.depth + 3
    assert_tree_consistent(db_session)


def test_move_updates_objects_not_loaded_in_the_session(org, make_person, db_session):
    a, b, c, _ = _deep_tree(make_person, org)
    ids = (a.id, b.id, c.id)
    ld_id = org.ld.id
    db_session.commit()
    db_session.expunge_all()
    a = db_session.get(Person, ids[0])
    update_person(a, manager=db_session.get(Person, ld_id))
    db_session.commit()
    db_session.expunge_all()
    c = db_session.get(Person, ids[2])
    assert c.path.startswith(db_session.get(Person, ld_id).path)
    assert_tree_consistent(db_session)


@pytest.mark.parametrize("below", ["self", "child", "grandchild", "deep"])
def test_loops_are_refused(org, make_person, db_session, below):
    a, b, c, _ = _deep_tree(make_person, org)
    target = {"self": a, "child": b, "grandchild": c, "deep": c}[below]
    mover = org.skip if below == "deep" else a
    db_session.commit()
    mark = _last_event_id(db_session)
    before = {p.id: (p.path, p.depth, p.manager_id)
              for p in db_session.scalars(select(Person))}
    with pytest.raises(PeopleError) as refused:
        update_person(mover, manager=target)
    assert refused.value.field == "manager"
    db_session.rollback()
    after = {p.id: (p.path, p.depth, p.manager_id) for p in db_session.scalars(select(Person))}
    assert after == before
    assert _events(db_session, mark) == []


def test_self_management_is_refused_on_create_path(org, db_session):
    with pytest.raises(PeopleError):
        operations.move_subtree(org.line, org.line)


def test_moving_next_to_a_similar_id_keeps_subtrees_apart(org, make_person, db_session):
    """Paths compare as text: /1/4/ must never be mistaken for a prefix of /1/40/."""
    people = [make_person(f"Sib {n}", manager=org.md) for n in range(12)]
    for n, person in enumerate(people[1:], start=1):
        update_person(person, manager=people[n - 1] if n % 3 else org.skip)
    assert_tree_consistent(db_session)


# ---- deactivation, invitations ----


def test_deactivate_and_reactivate(org, db_session):
    mark = _last_event_id(db_session)
    received = []

    def listener(_sender, person_ids):
        received.extend(person_ids)

    version = org.learner.session_version
    signals.people_deactivated.connect(listener)
    try:
        deactivate(org.learner, reason="left")
        deactivate(org.learner, reason="again")  # no second event
    finally:
        signals.people_deactivated.disconnect(listener)
    assert org.learner.active is False
    assert org.learner.session_version == version + 1
    assert received == [org.learner.id]
    reactivate(org.learner, reason="back")
    reactivate(org.learner)  # no second event
    assert org.learner.active is True
    assert [(e.action, e.reason) for e in _events(db_session, mark)] == [
        ("person.deactivated", "left"), ("person.reactivated", "back")]


def test_send_invitation_records_the_token_and_queues_mail(app, org, db_session):
    mark = _last_event_id(db_session)
    with app.test_request_context():
        link = operations.send_invitation(org.learner)
    assert link.startswith("http://clearance.test/set-password/")
    assert [e.action for e in _events(db_session, mark)] == ["auth.invite_issued"]
    msg = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert msg.to_address == org.learner.email
    assert link in msg.body_text


# ---- every write operation is covered above and leaves an event ----

WRITES = {
    "create_person": "person.created",
    "update_person": "person.updated",
    "deactivate": "person.deactivated",
    "reactivate": "person.reactivated",
    "send_invitation": "auth.invite_issued",
    "move_subtree": None,  # a step of update_person, which records the move
}
NOT_WRITES = {"snapshot", "lock_org_chart"}


def test_every_public_operation_is_known():
    public = {name for name, fn in vars(operations).items()
              if pyinspect.isfunction(fn) and fn.__module__ == operations.__name__
              and not name.startswith("_")}
    assert public - NOT_WRITES == set(WRITES), "add new operations to WRITES with their event"


def test_the_chain_holds_after_all_of_it(org, make_person, db_session):
    a, *_ = _deep_tree(make_person, org)
    update_person(a, manager=org.ld)
    deactivate(a)
    reactivate(a)
    assert verify_chain().ok
