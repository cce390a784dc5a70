"""The intranet widget: ``/widget/suggested`` (a small page made to sit in an iframe), the
tracking redirect ``/widget/go/<id>`` its links go through, and the page where L&D and
administrators copy the embed code and preview the widget.

Framing: only the widget page may be framed, by ``'self'`` plus the origins in the
``WIDGET_FRAME_ANCESTORS`` setting (``clearance.security.allow_framing``); every other page keeps
``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``. Looking never enrols anyone: the widget
and the redirect only record the look (``engagement.events.track``) and link to the programme's
own page, where joining is the learner's own POST.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from checkpoints import queries as checkpoint_queries
from clearance.access import PUBLIC, can, rule
from clearance.extensions import db
from clearance.security import allow_framing
from engagement.events import track
from engagement.models import SUGGESTION_CLICK, WIDGET_VIEW
from engagement.suggestions import queries
from engagement.suggestions.models import EVERYONE, MANAGERS, Suggestion
from engagement.suggestions.operations import may_suggest

SELF = "'self'"
#: an origin a CSP source list may name: scheme, host (optionally ``*.`` first) and port
_ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*"
                     r"[a-z0-9])?)*(:\d{1,5})?$")
PREVIEW_AS = {MANAGERS: "a manager", EVERYONE: "someone who is not a manager"}
EMBED_SIZE = {"width": 360, "height": 480}


def frame_ancestors(raw: str | None) -> tuple[list[str], list[str]]:
    """``'self'`` and the valid origins of the setting, and the entries that were ignored
    (anything that is not ``scheme://host[:port]``; they never reach the header)."""
    allowed, ignored = [SELF], []
    for token in (raw or "").split():
        origin = token.rstrip("/").lower()
        if origin == SELF:
            continue
        if _ORIGIN.match(origin):
            if origin not in allowed:
                allowed.append(origin)
        else:
            ignored.append(token)
    return allowed, ignored


def _signed_in() -> Any | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _preview() -> str | None:
    """``?as=managers|everyone`` (or ``?preview=1``: one's own list) for L&D and administrators
    only: a preview is not a look, so it is not tracked. Anyone else's parameters are ignored."""
    if not can(current_user, "suggestions.read"):
        return None
    wanted = request.args.get("as")
    if wanted in PREVIEW_AS:
        return wanted
    return "self" if request.args.get("preview") == "1" else None


@rule(PUBLIC)
def suggested() -> Any:
    """The widget: this month's suggestions for whoever is looking (see queries.widget_list)."""
    preview = _preview()
    person = _signed_in()
    viewer = queries.Viewer(preview) if preview in PREVIEW_AS else queries.Viewer.of(person)
    found = queries.widget_list(viewer)
    # the signed-in viewer's own programmes among them are marked (previews show no one's)
    joined = set() if person is None or preview is not None else set(
        checkpoint_queries.enrolments_by_programme(
            person.id, {s.programme_id for s in found.suggestions}))
    if preview is None:
        track(WIDGET_VIEW, person=person)  # one look per view; written after the response
    allowed, _ignored = frame_ancestors(current_app.config.get("WIDGET_FRAME_ANCESTORS"))
    allow_framing(" ".join(allowed))
    return render_template("suggestions/widget.html", found=found, preview=preview,
                           preview_as=PREVIEW_AS.get(preview or ""), joined=joined)


@rule(PUBLIC)
def go(suggestion_id: int) -> Any:
    """Record the click, then go to the programme's page. The target is always built here from
    the suggestion: no parameter of the request can send anyone elsewhere."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if (suggestion is None or not suggestion.active or not may_suggest(suggestion.programme)
            or not suggestion.programme.is_released(queries.today())):
        abort(404)
    track(SUGGESTION_CLICK, person=_signed_in(), programme_id=suggestion.programme_id,
          suggestion_id=suggestion.id)
    return redirect(url_for("checkpoints.programme", programme_id=suggestion.programme_id))


def widget_url() -> str:
    """The widget's public address (the ``BASE_URL`` setting), for the embed code."""
    base = str(current_app.config.get("BASE_URL") or request.host_url).rstrip("/")
    return base + url_for("suggestions.suggested")


def embed_code(url: str) -> str:
    return (f'<iframe src="{url}" title="Suggested learning from Clearance" '
            f'width="{EMBED_SIZE["width"]}" height="{EMBED_SIZE["height"]}" '
            'loading="lazy"></iframe>')


@rule("suggestions.read")
def embed() -> Any:
    """The intranet widget page: the embed code, the origins allowed to frame it, and live
    previews (one's own list, a manager's and everyone else's)."""
    allowed, ignored = frame_ancestors(current_app.config.get("WIDGET_FRAME_ANCESTORS"))
    url = widget_url()
    local = urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")
    return render_template("suggestions/embed.html", code=embed_code(url), url=url, local=local,
                           allowed=allowed, ignored=ignored, preview_as=PREVIEW_AS,
                           may_manage=can(current_user, "suggestions.manage"))
