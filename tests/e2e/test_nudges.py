"""Nudges in a real browser: a learner chooses their reminders and quiet hours, opens their
certificate from the home page, shares it (a signed-out browser opens the link), stops sharing
(the link is gone); their manager sees the certificate; the unsubscribe link from an e-mail
asks before it changes anything. axe-core and 320 px reflow on every page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import NARROW, check_page, visit

pytestmark = pytest.mark.browser


def _learner_with_certificate(live_server: Any) -> dict[str, Any]:
    """A demo learner with a valid certificate (the demo seed marks completions) and their
    line manager."""
    from sqlalchemy import select

    from clearance.extensions import db
    from engagement.nudges.models import Certificate
    from people.models import Person

    with live_server.app.app_context():
        cert = db.session.scalar(
            select(Certificate).join(Person, Person.id == Certificate.person_id)
            .where(Certificate.withdrawn_at.is_(None), Person.manager_id.is_not(None),
                   Person.active.is_(True))
            .order_by(Certificate.id))
        assert cert is not None, "the demo seed should complete some programmes"
        found = {"id": cert.id, "email": cert.person.email, "name": cert.person.name,
                 "programme": cert.programme.title, "manager": cert.person.manager.email,
                 "person_id": cert.person_id}
        db.session.remove()
    return found


def _go(page: Any, action: Any) -> None:
    with page.expect_navigation():
        action()
    check_page(page)


def test_choices_certificate_sharing_and_unsubscribe(live_server, signed_in_page, new_page):
    live_server.reset()
    learner = _learner_with_certificate(live_server)
    try:
        page = signed_in_page(learner["email"])
        # reminders page, from the profile
        visit(page, f"/people/{learner['person_id']}")
        _go(page, lambda: page.get_by_role("link", name="Reminders and nudges").click())
        page.get_by_label("A new monthly theme is released: by e-mail").uncheck()
        page.get_by_label("My own quiet hours (below)").check()
        page.get_by_label("Quiet from").fill("21:00")
        page.get_by_label("Quiet until").fill("07:30")
        _go(page, lambda: page.get_by_role("button", name="Save my choices").click())
        assert "Your choices are saved." in page.content()
        assert not page.get_by_label("A new monthly theme is released: by e-mail").is_checked()
        assert page.get_by_label("A new monthly theme is released: in the app").is_checked()

        # the certificate, from the home page
        visit(page, "/")
        _go(page, lambda: page.get_by_role("link", name=learner["programme"]).first.click())
        assert urlsplit(page.url).path == f"/certificates/{learner['id']}"
        assert learner["name"] in page.content()
        _go(page, lambda: page.get_by_role("button", name="Make a share link").click())
        link = page.get_by_label("Share link").input_value()
        shared_path = urlsplit(link).path

        outsider = new_page()
        visit(outsider, shared_path)
        assert learner["programme"] in outsider.content()
        assert outsider.get_by_role("button", name="Make a share link").count() == 0

        _go(page, lambda: page.get_by_role("button", name="Stop sharing").click())
        visit(outsider, shared_path, status=404)

        # the line manager sees it; the page is fine at 320 px too
        manager = signed_in_page(learner["manager"], viewport=NARROW)
        visit(manager, f"/certificates/{learner['id']}")
        assert manager.get_by_role("button", name="Make a share link").count() == 0
        visit(manager, "/certificates")

        # the unsubscribe link from an e-mail: a question first, then the change
        with live_server.app.test_request_context():
            from engagement.nudges.tokens import unsubscribe_token

            token = unsubscribe_token(learner["person_id"], "overdue")
        reader = new_page()
        visit(reader, f"/nudges/unsubscribe/{token}")
        assert "Stop these e-mails?" in reader.content()
        _go(reader, lambda: reader.get_by_role("button", name="Stop these e-mails").click())
        assert "E-mails stopped" in reader.content()
        visit(reader, f"/nudges/unsubscribe/{token[:-2]}xx", status=400)
        visit(page, "/me/nudges")
        assert not page.get_by_label("A checkpoint is overdue: by e-mail").is_checked()
    finally:
        live_server.reset()
