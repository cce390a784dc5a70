"""Routing table: who decides, for every shape of the org chart."""

from __future__ import annotations

import datetime as dt

import pytest

from approvals import routing
from people import operations
from people.delegation import DelegationError, cancel_delegation, create_delegation

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def names(chain):
    return [p.name for p in chain]


def test_levels_follow_the_chain(org):
    assert names(routing.approval_chain(org.learner, 1)) == ["Lin Manager"]
    assert names(routing.approval_chain(org.learner, 2)) == ["Lin Manager", "Sky Level"]
    assert routing.route(org.learner, 1).approver.id == org.line.id
    assert routing.route(org.learner, 2).approver.id == org.skip.id
    assert routing.route(org.learner, 2).reason == "skip-level manager"


def test_managers_route_to_their_managers_up_to_the_md(org):
    assert names(routing.approval_chain(org.line, 2)) == ["Sky Level", "Mo Director"]
    # a director's skip-level would be above the MD: the level is dropped
    assert names(routing.approval_chain(org.skip, 2)) == ["Mo Director"]
    assert routing.route(org.skip, 2) is None


def test_md_routes_to_the_top_approver_ld_by_default(org, app):
    chain = routing.approval_chain(org.md, 2)
    assert names(chain) == ["Elle Dee"]
    assert routing.route(org.md, 1).reason == "top approver"


def test_md_top_approver_by_email(org, app, monkeypatch):
    monkeypatch.setitem(app.config, "TOP_APPROVER", org.admin.email.upper())
    assert routing.approval_chain(org.md, 1)[0].id == org.admin.id


def test_top_approver_may_not_be_the_learner(org, app, monkeypatch):
    monkeypatch.setitem(app.config, "TOP_APPROVER", org.md.email)
    with pytest.raises(routing.RoutingError, match="No one can approve"):
        routing.approval_chain(org.md, 1)


def test_inactive_manager_is_passed_over(org):
    operations.deactivate(org.line, reason="left")
    assert routing.route(org.learner, 1).approver.id == org.skip.id
    assert names(routing.approval_chain(org.learner, 2)) == ["Sky Level", "Mo Director"]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (T0 - dt.timedelta(seconds=1), "line"),  # before the window
        (T0, "unrelated"),  # start is inclusive
        (T0 + 5 * HOUR, "unrelated"),
        (T0 + 8 * HOUR - dt.timedelta(seconds=1), "unrelated"),
        (T0 + 8 * HOUR, "line"),  # end is exclusive: the work comes back
    ],
)
def test_delegation_window_boundaries(org, at, expected):
    create_delegation(org.line, org.unrelated, T0, T0 + 8 * HOUR)
    route = routing.route(org.learner, 1, at)
    assert route.approver.id == org.line.id  # responsibility never moves
    assert route.actor.id == getattr(org, expected).id
    assert (route.acting_for is not None) == (expected != "line")


def test_delegate_absent_too_passes_it_on(org):
    create_delegation(org.line, org.unrelated, T0, T0 + 8 * HOUR)
    create_delegation(org.unrelated, org.skip, T0, T0 + 2 * HOUR)
    assert routing.route(org.learner, 1, T0 + HOUR).actor.id == org.skip.id
    assert routing.route(org.learner, 1, T0 + 3 * HOUR).actor.id == org.unrelated.id


def test_delegation_loop_stops(org):
    create_delegation(org.line, org.unrelated, T0, T0 + 8 * HOUR)
    create_delegation(org.unrelated, org.line, T0, T0 + 8 * HOUR)
    route = routing.route(org.learner, 1, T0 + HOUR)
    assert route.actor.id == org.unrelated.id


def test_delegate_who_is_the_learner_is_skipped(org):
    create_delegation(org.line, org.learner, T0, T0 + 8 * HOUR)
    route = routing.route(org.learner, 1, T0 + HOUR)
    assert route.actor.id == org.skip.id
    assert route.acting_for.id == org.line.id
    assert not routing.may_decide(org.learner, org.learner, org.line, T0 + HOUR)


def test_cancelled_window_no_longer_applies(org):
    window = create_delegation(org.line, org.unrelated, T0, T0 + 8 * HOUR)
    cancel_delegation(window)
    assert routing.route(org.learner, 1, T0 + HOUR).actor.id == org.line.id


def test_may_decide_enforces_separation_of_duties(org):
    assert routing.may_decide(org.line, org.learner, org.line, T0)
    assert not routing.may_decide(org.skip, org.learner, org.line, T0)
    assert not routing.may_decide(org.learner, org.learner, org.line, T0)
    create_delegation(org.line, org.unrelated, T0, T0 + HOUR)
    assert routing.may_decide(org.unrelated, org.learner, org.line, T0)
    assert not routing.may_decide(org.line, org.learner, org.line, T0)  # away: delegate acts


def test_escalation_targets(org):
    assert routing.next_above(org.line, org.learner).id == org.skip.id
    assert routing.next_above(org.skip, org.learner).id == org.md.id
    assert routing.next_above(org.md, org.learner).id == org.ld.id  # top approver above the MD
    # the top approver escalating the MD's work: Elle's own manager is the MD (the learner)
    assert routing.next_above(org.ld, org.md) is None


def test_delegation_validation(org):
    with pytest.raises(DelegationError):
        create_delegation(org.line, org.line, T0, T0 + HOUR)
    with pytest.raises(DelegationError):
        create_delegation(org.line, org.unrelated, T0, T0)
    create_delegation(org.line, org.unrelated, T0, T0 + HOUR)
    with pytest.raises(DelegationError, match="overlaps"):
        create_delegation(org.line, org.skip, T0 + HOUR / 2, T0 + 2 * HOUR)
