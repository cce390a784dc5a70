"""The suggested-learning widget in a real browser, inside an iframe on a stand-in intranet page
served from another local origin (its own port): L&D copy the embed code, a signed-in learner
sees their list in the frame, clicks through to the programme and enrols; a page on an origin
that is not allowed cannot frame it. axe-core and 320 px reflow on every page."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_page, nav_group, visit

pytestmark = pytest.mark.browser

LEARNER = "sam.taylor@northfield.example"
LD = "helen.brooks@northfield.example"
FRAME_TITLE = "Suggested learning from Clearance"


@dataclass
class Intranet:
    """A tiny web server on its own port: it serves ``html`` at ``/`` (the intranet's page)."""

    server: ThreadingHTTPServer
    html: list[str] = field(default_factory=lambda: [""])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def publish(self, embed_code: str) -> None:
        self.html[0] = (
            '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Northfield intranet</title>"
            "<style>body{font-family:sans-serif;margin:1rem}iframe{max-width:100%;border:0}"
            "</style></head><body><header><p>Northfield Community Health Trust</p></header>"
            "<main><h1>Staff intranet</h1><p>News, rotas and learning.</p>"
            f"{embed_code}</main></body></html>")


def _serve() -> Intranet:
    pages: list[str] = [""]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages[0].encode()
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name="e2e-intranet", daemon=True).start()
    return Intranet(server, pages)


@pytest.fixture()
def intranets(live_server: Any) -> Iterator[tuple[Intranet, Intranet]]:
    """Two intranet stand-ins: the first one's origin is allowed to frame the widget (the live
    server's WIDGET_FRAME_ANCESTORS setting, read per request), the second one's is not."""
    allowed, other = _serve(), _serve()
    config = live_server.app.config
    before = config.get("WIDGET_FRAME_ANCESTORS")
    config["WIDGET_FRAME_ANCESTORS"] = f"'self' {allowed.origin}"
    try:
        yield allowed, other
    finally:
        config["WIDGET_FRAME_ANCESTORS"] = before
        for site in (allowed, other):
            site.server.shutdown()
            site.server.server_close()


def _programme_of_first_suggestion_not_joined(live_server: Any, email: str) -> str:
    """The title of the first suggestion in the person's widget they have not joined yet."""
    from sqlalchemy import select

    from checkpoints import queries as checkpoint_queries
    from clearance.extensions import db
    from engagement.suggestions.queries import Viewer, widget_list
    from people.models import Person, email_key

    with live_server.app.app_context():
        person = db.session.scalar(select(Person).where(Person.email_key == email_key(email)))
        shown = widget_list(Viewer.of(person)).suggestions
        joined = checkpoint_queries.enrolments_by_programme(
            person.id, [s.programme_id for s in shown])
        titles = [s.programme.title for s in shown if s.programme_id not in joined]
        db.session.remove()
    assert titles, f"the demo suggests nothing new to {email}"
    return titles[0]


def _clicks(live_server: Any, email: str) -> list[tuple[int | None, int | None]]:
    from sqlalchemy import select

    from clearance.extensions import db
    from engagement.models import SUGGESTION_CLICK, EngagementEvent
    from people.models import Person, email_key

    with live_server.app.app_context():
        person_id = db.session.scalar(select(Person.id).where(
            Person.email_key == email_key(email)))
        rows = db.session.execute(select(EngagementEvent.programme_id,
                                         EngagementEvent.suggestion_id)
                                  .where(EngagementEvent.kind == SUGGESTION_CLICK,
                                         EngagementEvent.person_id == person_id)).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_learner_clicks_through_the_framed_widget_and_enrols(
        signed_in_page: Callable[..., Any], new_page: Callable[..., Any], live_server: Any,
        intranets: tuple[Intranet, Intranet]) -> None:
    live_server.reset()
    intranet, _other = intranets

    # L&D: the suggestions page, then the widget page with the embed code and the previews
    ld = signed_in_page(LD)
    with ld.expect_navigation():
        nav_group(ld, "Manage").get_by_role("link", name="Suggestions").click()
    check_page(ld)
    with ld.expect_navigation():
        ld.get_by_role("link", name="Intranet widget: embed code and preview").click()
    check_page(ld)
    assert ld.get_by_text(intranet.origin, exact=True).is_visible()
    previews = ld.frame_locator("iframe[title='Suggested learning widget as a manager']")
    # the previews are lazy frames: wait for them rather than sample them once
    expect(previews.get_by_role("heading", name="Suggested learning for managers")).to_be_visible()
    code = ld.locator("#embed-code").input_value()
    assert code.startswith(f'<iframe src="{live_server("/widget/suggested")}"')
    visit(ld, "/suggestions/new")

    # the intranet publishes the code; a signed-in learner reads it there
    intranet.publish(code)
    learner = signed_in_page(LEARNER)
    learner.goto(intranet.origin + "/")
    frame = learner.frame_locator(f"iframe[title='{FRAME_TITLE}']")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Suggested learning")
    check_page(learner)
    title = _programme_of_first_suggestion_not_joined(live_server, LEARNER)
    with learner.expect_navigation(url=lambda url: "/catalogue/" in url):
        frame.get_by_role("link", name=title).click()  # opens in the top window
    check_page(learner)
    assert urlsplit(learner.url).netloc == urlsplit(live_server.url).netloc
    assert learner.get_by_role("heading", level=1).inner_text() == title
    [(programme_id, suggestion_id)] = _clicks(live_server, LEARNER)
    assert urlsplit(learner.url).path == f"/catalogue/{programme_id}" and suggestion_id
    with learner.expect_navigation():
        learner.get_by_role("button", name="Enrol in this programme").click()
    check_page(learner)
    assert f"You are enrolled in {title}." in learner.content()

    # the widget page itself, full width and at 320 px
    visit(learner, "/widget/suggested")

    # signed out: the general list and an invitation to sign in, in the same frame
    page = new_page()
    page.goto(intranet.origin + "/")
    frame = page.frame_locator(f"iframe[title='{FRAME_TITLE}']")
    # the embed code asks for a lazy frame, so the page's load event does not wait for it
    expect(frame.get_by_role("link", name="Sign in to Clearance")).to_be_visible()
    check_page(page)


def test_a_page_on_another_origin_cannot_frame_the_widget(
        browser: Any, live_server: Any, intranets: tuple[Intranet, Intranet]) -> None:
    allowed, other = intranets
    code = (f'<iframe src="{live_server("/widget/suggested")}" title="{FRAME_TITLE}" '
            'width="300" height="400"></iframe>')
    allowed.publish(code)
    other.publish(code)
    # The stand-in intranet pages are the test's own, not the app's: a plain context without
    # the app's page checks (the refused frame would leave axe waiting for it).
    context = browser.new_context()
    try:
        page = context.new_page()
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto(other.origin + "/", wait_until="load")
        frame = page.frame_locator(f"iframe[title='{FRAME_TITLE}']")
        # the refused (lazy) frame reports itself on the console; wait for that, then look
        if not any("frame-ancestors" in m for m in messages):
            page.wait_for_event("console", predicate=lambda m: "frame-ancestors" in m.text,
                                timeout=10_000)
        assert any("frame-ancestors" in m for m in messages), messages
        assert frame.get_by_role("heading", name="Suggested learning").count() == 0

        page.goto(allowed.origin + "/", wait_until="load")
        frame = page.frame_locator(f"iframe[title='{FRAME_TITLE}']")
        expect(frame.get_by_role("heading", name="Suggested learning")).to_be_visible()
    finally:
        context.close()
