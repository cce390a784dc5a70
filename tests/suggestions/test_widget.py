"""The intranet widget: who sees which list, the month shown, framing headers, the tracking
redirect (local targets only, clicks recorded), and that looking never enrols anyone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from checkpoints import operations as checkpoint_ops
from checkpoints.models import Enrolment
from clearance.extensions import db
from clearance.security import CSP, is_safe_local_path
from engagement.models import SUGGESTION_CLICK, WIDGET_VIEW, EngagementEvent
from engagement.suggestions import operations as ops
from engagement.suggestions import queries
from engagement.suggestions.queries import Viewer, add_months, widget_list
from engagement.suggestions.widget import frame_ancestors
from tests.conftest import sign_in_directly as login
from tests.suggestions.helpers import elective, suggest, this_month

TITLE = re.compile(r'<h2><a href="/widget/go/(\d+)" target="_top">([^<]+)</a></h2>')


def _shown(response) -> list[str]:
    assert response.status_code == 200
    return [title for _id, title in TITLE.findall(response.get_data(as_text=True))]


def _events(kind: str) -> list[EngagementEvent]:
    return list(db.session.scalars(select(EngagementEvent).where(EngagementEvent.kind == kind)
                                   .order_by(EngagementEvent.id)))


def _four_lists(org):
    """This month: one pick each for managers, everyone, Ward 1 and Ward 2."""
    picks = {name: elective(name) for name in ("For managers", "For everyone", "For Ward 1",
                                               "For Ward 2")}
    suggest(picks["For managers"], audience="managers")
    suggest(picks["For everyone"])
    suggest(picks["For Ward 1"], audience="unit", unit="Ward 1")
    suggest(picks["For Ward 2"], audience="unit", unit="Ward 2")
    return picks


def test_each_viewer_sees_their_own_list(client, org, db_session):
    _four_lists(org)
    db_session.commit()

    anonymous = client.get("/widget/suggested")
    assert _shown(anonymous) == ["For everyone"]
    assert "Sign in to Clearance" in anonymous.get_data(as_text=True)

    login(client, org.line)  # a manager in Ward 1: the managers' list, then Ward 1's picks
    page = client.get("/widget/suggested")
    assert _shown(page) == ["For managers", "For Ward 1"]
    assert "<h1>Suggested learning for managers</h1>" in page.get_data(as_text=True)

    login(client, org.learner)  # not a manager, Ward 1
    assert _shown(client.get("/widget/suggested")) == ["For everyone", "For Ward 1"]
    login(client, org.other_learner)  # not a manager, Ward 2
    assert _shown(client.get("/widget/suggested")) == ["For everyone", "For Ward 2"]
    login(client, org.unrelated)  # a manager in Ward 2
    assert _shown(client.get("/widget/suggested")) == ["For managers", "For Ward 2"]


def test_lists_follow_the_order_l_and_d_set(org, db_session):
    first, second, third = (elective(t) for t in ("First", "Second", "Third"))
    a, b, c = suggest(first), suggest(second), suggest(third)
    assert ops.move(c, "up") and ops.move(c, "up")
    assert not ops.move(c, "up")  # already at the top
    found = widget_list(Viewer("everyone"))
    assert [s.programme.title for s in found.suggestions] == ["Third", "First", "Second"]
    assert (a.position, b.position, c.position) == (1, 2, 0)


def test_the_month_shown_falls_back_to_the_latest_with_any(org, db_session):
    now = this_month()
    last, earlier, ahead = add_months(now, -1), add_months(now, -3), add_months(now, 1)
    old = elective("Old pick")
    recent = elective("Last month's pick")
    future = elective("Next month's pick")
    suggest(old, month=earlier, theme="Safety")
    suggest(recent, month=last, theme="Coaching")
    suggest(future, month=ahead, theme="Trust")  # planned ahead: not shown before its month
    found = widget_list(Viewer("everyone"))
    assert (found.month, found.current) == (last, False)
    assert [s.programme.title for s in found.suggestions] == ["Last month's pick"]
    assert found.themes == ["Coaching"]

    suggest(elective("This month's pick"), theme="Compassion", audience="managers")
    assert widget_list(Viewer("managers")).current is True
    assert widget_list(Viewer("everyone")).month == last  # managers' month is not theirs
    # next month, the planned pick is the list
    nxt = widget_list(Viewer("everyone"), on=ahead.replace(day=2))
    assert (nxt.month, [s.programme.title for s in nxt.suggestions]) == (
        ahead, ["Next month's pick"])
    assert widget_list(Viewer("anonymous"), on=add_months(now, -12)).month is None


def test_hidden_unreleased_and_withdrawn_programmes_are_left_out(org, db_session):
    shown = elective("Shown")
    hidden = elective("Hidden")
    upcoming = elective("Upcoming", release_date=add_months(this_month(), 2))
    archived = elective("Archived later")
    suggest(shown)
    ops.set_active(suggest(hidden), False)
    suggest(upcoming)
    suggest(archived)
    checkpoint_ops.archive_programme(archived)
    titles = [s.programme.title for s in widget_list(Viewer("everyone")).suggestions]
    assert titles == ["Shown"]


def test_only_the_widget_may_be_framed(client, org, db_session):
    suggest(elective())
    db_session.commit()
    widget = client.get("/widget/suggested")
    csp = widget.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp
    assert "X-Frame-Options" not in widget.headers
    # everything else in the policy is the shell's
    assert csp == CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    assert "<script" not in widget.get_data(as_text=True)
    assert "style=" not in widget.get_data(as_text=True)

    for path in ("/sign-in", "/widget/go/1", "/widget/go/999999"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
    login(client, org.ld)
    for path in ("/suggestions", "/suggestions/widget", "/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Content-Security-Policy"] == CSP, path


def test_the_frame_ancestors_setting_is_honoured(app, client, org, db_session, monkeypatch):
    suggest(elective())
    db_session.commit()
    monkeypatch.setitem(app.config, "WIDGET_FRAME_ANCESTORS",
                        "https://intranet.example  https://*.trust.example/ 'self' "
                        "https://bad.example;script-src javascript:alert(1) *")
    csp = client.get("/widget/suggested").headers["Content-Security-Policy"]
    assert csp.endswith(
        "frame-ancestors 'self' https://intranet.example https://*.trust.example")
    assert "bad.example" not in csp and "javascript" not in csp and csp.count("script-src") == 1

    login(client, org.ld)
    page = client.get("/suggestions/widget").get_data(as_text=True)
    assert "<code>https://intranet.example</code>" in page
    assert "<code>https://bad.example;script-src</code>" in page  # named as ignored


def test_frame_ancestors_parsing():
    assert frame_ancestors(None) == (["'self'"], [])
    assert frame_ancestors("'self'") == (["'self'"], [])
    allowed, ignored = frame_ancestors(
        "HTTPS://Intranet.Example:8443 http://127.0.0.1:5001 https://intranet.example:8443 "
        "https://x.example/path data: 'none' https://a_b.example")
    assert allowed == ["'self'", "https://intranet.example:8443", "http://127.0.0.1:5001"]
    assert ignored == ["https://x.example/path", "data:", "'none'", "https://a_b.example"]


def test_a_view_is_one_look_and_previews_are_not_counted(client, org, db_session):
    suggest(elective(), audience="managers")
    suggest(elective("General"))
    db_session.commit()
    client.get("/widget/suggested")
    login(client, org.line)
    client.get("/widget/suggested")
    client.get("/widget/suggested")
    rows = _events(WIDGET_VIEW)
    assert sorted((r.person_id or 0, r.audience, r.count, r.suggestion_id) for r in rows) == [
        (0, "anonymous", 1, None), (org.line.id, "managers", 2, None)]

    login(client, org.ld)  # L&D's previews of either list are not looks
    assert _shown(client.get("/widget/suggested?as=managers")) == ["Clinical handover"]
    assert _shown(client.get("/widget/suggested?as=everyone")) == ["General"]
    client.get("/widget/suggested?preview=1")
    assert len(_events(WIDGET_VIEW)) == 2

    login(client, org.learner)  # anyone else's preview parameters are ignored
    page = client.get("/widget/suggested?as=managers")
    assert _shown(page) == ["General"] and "Preview" not in page.get_data(as_text=True)
    assert org.learner.id in {r.person_id for r in _events(WIDGET_VIEW)}


def test_a_click_is_recorded_and_goes_to_the_programme(client, org, db_session):
    prog = elective()
    pick = suggest(prog)
    db_session.commit()
    login(client, org.learner)
    response = client.get(f"/widget/go/{pick.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/catalogue/{prog.id}"
    [row] = _events(SUGGESTION_CLICK)
    assert (row.person_id, row.programme_id, row.suggestion_id, row.audience) == (
        org.learner.id, prog.id, pick.id, "everyone")


def test_the_redirect_never_leaves_the_site(client, org, db_session):
    prog = elective()
    pick = suggest(prog)
    db_session.commit()
    for evil in ("//evil.example", "https://evil.example", "/\\evil.example",
                 "%2F%2Fevil.example", "javascript:alert(1)"):
        for name in ("next", "target", "url", "to"):
            response = client.get(f"/widget/go/{pick.id}", query_string={name: evil})
            location = response.headers["Location"]
            assert response.status_code == 302
            assert location == f"/catalogue/{prog.id}", (name, evil, location)
            assert is_safe_local_path(location)


def test_signed_out_click_asks_for_sign_in_with_a_local_next(client, org, db_session):
    prog = elective()
    pick = suggest(prog)
    db_session.commit()
    response = client.get(f"/widget/go/{pick.id}")
    assert response.headers["Location"] == f"/catalogue/{prog.id}"
    programme_page = client.get(response.headers["Location"])
    assert programme_page.status_code == 302
    assert programme_page.headers["Location"] == f"/sign-in?next=/catalogue/{prog.id}"
    [row] = _events(SUGGESTION_CLICK)
    assert (row.person_id, row.audience) == (None, "anonymous")


def test_hidden_unknown_or_withdrawn_suggestions_are_not_found(client, org, db_session):
    hidden = suggest(elective("Hidden"))
    ops.set_active(hidden, False)
    archived_prog = elective("Archived")
    archived = suggest(archived_prog)
    checkpoint_ops.archive_programme(archived_prog)
    upcoming = suggest(elective("Upcoming", release_date=add_months(this_month(), 2)))
    db_session.commit()
    login(client, org.learner)
    for pick_id in (hidden.id, archived.id, upcoming.id, 999999):
        assert client.get(f"/widget/go/{pick_id}").status_code == 404
    assert _events(SUGGESTION_CLICK) == []


def test_looking_and_clicking_never_enrol(client, org, db_session):
    prog = elective()
    pick = suggest(prog)
    db_session.commit()

    def enrolments() -> int:
        return db.session.scalar(select(func.count(Enrolment.id)))

    before = enrolments()
    for person in (None, org.learner, org.line):
        if person is not None:
            login(client, person)
        client.get("/widget/suggested")
        client.get(f"/widget/go/{pick.id}", follow_redirects=True)
    assert enrolments() == before
    assert len(_events(SUGGESTION_CLICK)) == 3


def test_home_prefers_this_months_curated_picks(client, org, db_session):
    newest = elective("Newest in the catalogue")
    curated = elective("Curated pick", release_date=add_months(this_month(), -6))
    joined = elective("Already joined", release_date=add_months(this_month(), -6))
    checkpoint_ops.self_enrol(org.learner, joined)
    db_session.commit()
    login(client, org.learner)

    def panel() -> str:
        page = client.get("/").get_data(as_text=True)
        found = re.search(r"<h2>New in the catalogue</h2>(.*?)</article>", page, re.S)
        assert found, "no suggestions panel"
        return found.group(1)

    assert "Newest in the catalogue" in panel()
    suggest(joined)
    suggest(curated)
    suggest(newest, month=add_months(this_month(), -1))  # last month's: not this month's pick
    db_session.commit()
    mine = panel()
    assert "Curated pick" in mine
    assert "Already joined" not in mine and "Newest in the catalogue" not in mine
    assert queries.curated_programmes(org.learner, 3) == [curated]
    assert queries.curated_programmes(org.line, 3) == []  # nothing for managers this month


def test_allow_framing_refuses_anything_that_could_end_the_directive(app):
    from clearance.security import allow_framing

    with app.test_request_context("/widget/suggested"):
        for bad in ("", "   ", "'self'; script-src *", "https://a.example, https://b.example",
                    "https://a.example\r\nX-Injected: 1"):
            with pytest.raises(ValueError):
                allow_framing(bad)


def test_the_viewers_own_programmes_are_marked_enrolled(client, org, db_session):
    from tests.portfolios import factories as pf

    mine, other = elective("Already mine"), elective("Something new")
    suggest(mine)
    suggest(other)
    pf.enrol(org.learner, mine)
    db_session.commit()
    login(client, org.learner)
    page = client.get("/widget/suggested").get_data(as_text=True)
    assert page.count("You are enrolled") == 1
    assert page.index("Already mine") < page.index("You are enrolled") < page.index(
        "Something new")
    login(client, org.other_learner)
    assert "You are enrolled" not in client.get("/widget/suggested").get_data(as_text=True)
