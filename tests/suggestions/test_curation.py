"""L&D curate suggestions: operations (validation, order, hide, remove, audit) and the pages
(forms keep what was typed, administrators read only, every page reachable by links)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from checkpoints import operations as checkpoint_ops
from clearance.audit import AuditEvent
from clearance.extensions import db
from engagement import events
from engagement.models import SUGGESTION_CLICK
from engagement.suggestions import operations as ops
from engagement.suggestions.models import Suggestion
from engagement.suggestions.queries import add_months
from tests.checkpoints.helpers import programme
from tests.conftest import csrf_token, sign_in_directly
from tests.suggestions.helpers import elective, suggest, this_month


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


# ---- operations ----


def test_adding_records_an_audit_event_and_goes_to_the_end(org, db_session):
    prog, other = elective(), elective("Coaching conversations")
    first = suggest(prog, month=this_month().replace(day=1), by=org.ld)
    second = ops.add(programme=other, month=this_month().replace(day=17), theme="  Coaching   "
                     "month ", audience="everyone", by=org.ld)
    assert second.month == this_month() and second.theme == "Coaching month"
    assert (first.position, second.position) == (0, 1)
    assert second.created_by_id == org.ld.id
    [event, _] = reversed(_audit("suggestion.added"))
    assert event.object_type == "suggestion" and event.object_id == str(second.id)
    assert event.after["programme"] == "Coaching conversations"
    assert event.after["audience"] == "everyone"


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"programme": None}, "programme_id", "Choose a programme."),
    ({"month": None}, "month", "Enter the month"),
    ({"theme": "   "}, "theme", "Enter the month's theme."),
    ({"theme": "x" * 121}, "theme", "120 characters"),
    ({"audience": "directors"}, "audience", "Choose who"),
    ({"audience": "unit", "unit": ""}, "unit", "Choose the unit."),
    ({"audience": "unit", "unit": "Nowhere Ward"}, "unit", "unit that has people"),
])
def test_refusals_name_their_field(org, db_session, change, field, message):
    values = {"programme": elective(), "month": this_month(), "theme": "Safety",
              "audience": "everyone", "unit": "", **change}
    with pytest.raises(ops.SuggestionError) as refused:
        ops.add(by=org.ld, **values)
    assert refused.value.field == field and message in str(refused.value)
    assert db.session.scalar(select(Suggestion.id)) is None


def test_only_published_catalogue_programmes_and_no_duplicates(org, db_session):
    draft = programme(None, title="Draft", publish=False)
    hidden = elective("Assigned only", open_in_catalogue=False)
    for prog in (draft, hidden):
        with pytest.raises(ops.SuggestionError, match="published and open"):
            suggest(prog)
    prog = elective()
    first = suggest(prog)
    with pytest.raises(ops.SuggestionError, match="already suggested"):
        suggest(prog)
    suggest(prog, audience="managers")  # another audience is another list
    suggest(prog, audience="unit", unit="Ward 1")
    ops.set_active(first, False)
    again = suggest(prog)  # the hidden one no longer counts ...
    with pytest.raises(ops.SuggestionError, match="already suggested"):
        ops.set_active(first, True)  # ... so showing it again would duplicate
    assert again.active and not first.active


def test_a_unit_is_kept_only_for_unit_suggestions(org, db_session):
    pick = ops.add(programme=elective(), month=this_month(), theme="Safety",
                   audience="managers", unit="Ward 1", by=org.ld)
    assert pick.unit == ""


def test_moving_swaps_within_one_list_and_is_audited(org, db_session):
    a, b, c = (suggest(elective(t)) for t in ("A", "B", "C"))
    managers = suggest(elective("M"), audience="managers")
    assert ops.move(a, "down")
    assert [s.programme.title for s in sorted((a, b, c), key=lambda s: s.position)] == \
        ["B", "A", "C"]
    assert not ops.move(c, "down")
    assert not ops.move(managers, "up")  # alone in its own list
    with pytest.raises(ops.SuggestionError):
        ops.move(a, "sideways")
    [event] = _audit("suggestion.moved")
    assert (event.before, event.after) == ({"position": 0}, {"position": 1})


def test_updating_is_audited_and_another_list_means_its_end(org, db_session):
    pick = suggest(elective("Pick"))
    suggest(elective("Already there"), audience="managers")
    assert not ops.update(pick, programme=pick.programme, month=pick.month, theme=pick.theme,
                          audience="everyone")
    assert _audit("suggestion.updated") == []
    next_month = add_months(this_month(), 1)
    assert ops.update(pick, programme=pick.programme, month=next_month, theme="Trust",
                      audience="managers")
    assert pick.group == (next_month, "managers", "") and pick.position == 0
    [event] = _audit("suggestion.updated")
    assert event.before["theme"] == "Compassion" and event.after["theme"] == "Trust"
    assert event.after["month"] == next_month.isoformat()


def test_hiding_and_removing(org, db_session):
    kept, gone = suggest(elective("Followed")), suggest(elective("Never followed"))
    assert ops.set_active(kept, False) and not ops.set_active(kept, False)
    assert [e.after for e in _audit("suggestion.hidden")] == [{"active": False}]
    assert ops.set_active(kept, True)
    events.track(SUGGESTION_CLICK, person=org.learner, programme_id=kept.programme_id,
                 suggestion_id=kept.id)
    assert ops.was_followed([kept.id, gone.id]) == {kept.id}
    with pytest.raises(ops.SuggestionError, match="hide it instead"):
        ops.remove(kept)
    gone_id = gone.id
    ops.remove(gone)
    assert db.session.get(Suggestion, gone_id) is None
    [event] = _audit("suggestion.removed")
    assert event.object_id == str(gone_id) and event.before["programme"] == "Never followed"


# ---- pages ----


def _text(response) -> str:
    return response.get_data(as_text=True)


def _post(client, path: str, data: dict, page: str = "/suggestions"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def test_ld_adds_a_suggestion_through_the_form(client, org, db_session):
    prog = elective("Coaching conversations")
    db_session.commit()
    sign_in_directly(client, org.ld)
    month = this_month().strftime("%Y-%m")
    form = _text(client.get(f"/suggestions/new?month={month}"))
    assert f'value="{month}"' in form and f'<option value="{prog.id}">' in form
    response = _post(client, "/suggestions/new", {
        "programme_id": str(prog.id), "month": month, "theme": "Coaching",
        "audience": "unit", "unit": "Ward 1"}, page="/suggestions/new")
    assert response.status_code == 302
    pick = db.session.scalar(select(Suggestion))
    assert response.headers["Location"] == f"/suggestions#suggestion-{pick.id}"
    assert (pick.audience, pick.unit, pick.theme) == ("unit", "Ward 1", "Coaching")
    listing = _text(client.get("/suggestions"))
    assert "is suggested to unit: ward 1" in listing
    assert "<h3>For Ward 1</h3>" in listing and "(this month)" in listing
    # adding to a month that has a theme starts from that theme
    assert 'value="Coaching"' in _text(client.get(f"/suggestions/new?month={month}"))


def test_a_refused_form_keeps_what_was_typed(client, org, db_session):
    prog = elective()
    db_session.commit()
    sign_in_directly(client, org.ld)
    response = _post(client, "/suggestions/new", {
        "programme_id": str(prog.id), "month": "November", "theme": "Typed theme",
        "audience": "unit", "unit": ""}, page="/suggestions/new")
    assert response.status_code == 422
    page = _text(response)
    assert "There is a problem" in page
    assert 'href="#month"' in page and "Enter the month, for example 2026-11." in page
    assert 'value="November"' in page and 'value="Typed theme"' in page
    assert f'<option selected value="{prog.id}">' in page
    # the operation's refusal lands on its field, input kept
    response = _post(client, "/suggestions/new", {
        "programme_id": str(prog.id), "month": "2026-11", "theme": "Typed theme",
        "audience": "unit", "unit": ""}, page="/suggestions/new")
    page = _text(response)
    assert response.status_code == 422 and 'href="#unit"' in page
    assert "Choose the unit." in page and 'value="2026-11"' in page
    assert db.session.scalar(select(Suggestion.id)) is None


def test_editing_prefills_and_saves(client, org, db_session):
    pick = suggest(elective("Before"))
    after = elective("After")
    db_session.commit()
    sign_in_directly(client, org.ld)
    form = _text(client.get(f"/suggestions/{pick.id}/edit"))
    assert f'<option selected value="{pick.programme_id}">' in form
    assert 'value="Compassion"' in form and f'value="{this_month():%Y-%m}"' in form
    response = _post(client, f"/suggestions/{pick.id}/edit", {
        "programme_id": str(after.id), "month": f"{this_month():%Y-%m}", "theme": "Trust",
        "audience": "everyone"}, page=f"/suggestions/{pick.id}/edit")
    assert response.status_code == 302
    db.session.refresh(pick)
    assert (pick.programme_id, pick.theme) == (after.id, "Trust")


def test_list_buttons_move_hide_and_remove(client, org, db_session):
    first, second = suggest(elective("First")), suggest(elective("Second"))
    db_session.commit()
    sign_in_directly(client, org.ld)
    response = _post(client, f"/suggestions/{second.id}/move", {"direction": "up"})
    assert response.headers["Location"] == f"/suggestions#suggestion-{second.id}"
    page = _text(client.get("/suggestions"))
    assert page.index(">Second</a>") < page.index(">First</a>")
    assert "Moved Second up." in page
    _post(client, f"/suggestions/{first.id}/active", {"active": "0"})
    assert "First is hidden from the widget." in _text(client.get("/suggestions"))
    assert _post(client, f"/suggestions/{first.id}/active", {"active": "x"}).status_code == 400
    _post(client, f"/suggestions/{first.id}/remove", {})
    assert db.session.scalars(select(Suggestion.id)).all() == [second.id]


def test_admin_reads_without_the_buttons(client, org, db_session):
    suggest(elective("Readable"))
    db_session.commit()
    sign_in_directly(client, org.admin)
    page = _text(client.get("/suggestions"))
    assert "Readable" in page and "Add a suggestion" not in page and ">Remove<" not in page
    assert 'href="/suggestions/widget"' in page


def test_the_embed_page_has_the_code_origins_and_previews(client, org, db_session):
    suggest(elective())
    db_session.commit()
    sign_in_directly(client, org.ld)
    page = _text(client.get("/suggestions/widget"))
    code = re.search(r'<textarea id="embed-code"[^>]*readonly[^>]*>(.*?)</textarea>', page, re.S)
    assert code, "no read-only embed code box"
    assert ("&lt;iframe src=&#34;http://clearance.test/widget/suggested&#34; title=&#34;"
            "Suggested learning from Clearance&#34; width=&#34;360&#34; height=&#34;480&#34;"
            in code.group(1))
    assert "Clearance itself (<code>'self'</code>)" in page
    frames = re.findall(r'<iframe src="([^"]+)" title="([^"]+)"', page)
    assert [src for src, _title in frames] == [
        "/widget/suggested?preview=1", "/widget/suggested?as=managers",
        "/widget/suggested?as=everyone"]
    assert all(title for _src, title in frames)
    assert "only this computer can reach" not in page  # BASE_URL is a public address here


def test_the_embed_page_warns_while_the_address_is_local(app, client, org, db_session,
                                                         monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:5000")
    sign_in_directly(client, org.ld)
    page = _text(client.get("/suggestions/widget"))
    assert "points at http://127.0.0.1:5000/widget/suggested, an address only this computer" \
        in page
    assert "CLEARANCE_BASE_URL" in page


def test_pages_are_reachable_by_links(client, org, db_session):
    suggest(elective())
    db_session.commit()
    sign_in_directly(client, org.ld)
    home = _text(client.get("/"))
    assert 'href="/suggestions"' in home  # the navigation
    listing = _text(client.get("/suggestions"))
    pick_id = db.session.scalar(select(Suggestion.id))
    for href in ('href="/suggestions/new"', 'href="/suggestions/widget"',
                 f'href="/suggestions/{pick_id}/edit"'):
        assert href in listing
    sign_in_directly(client, org.learner)
    assert 'href="/suggestions"' not in _text(client.get("/"))


def test_the_list_shows_recent_months_first_with_a_link_to_earlier(client, org, db_session):
    prog = elective(release_date=add_months(this_month(), -20))
    suggest(prog, month=add_months(this_month(), -14), theme="Long ago")
    suggest(prog, month=add_months(this_month(), 1), theme="Planned")
    suggest(prog, theme="Now")
    checkpoint_ops.archive_programme(elective("Withdrawn"))
    db_session.commit()
    sign_in_directly(client, org.ld)
    page = _text(client.get("/suggestions"))
    assert "Long ago" not in page and "(coming)" in page
    assert page.index("Planned") < page.index("Now")
    assert "Show every month (1 earlier suggestion)" in page
    assert "Long ago" in _text(client.get("/suggestions?all=1"))
