"""Every one-to-ones page can be reached by following links from the home page: the navigation,
the home panel, the week view, series and meeting pages. Nobody has to type an address."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from tests.approvals.factories import submitted
from tests.conftest import csrf_token, login
from tests.one_to_ones.helpers import make_series

HREF = re.compile(r'href="([^"#]*)')
#: the secret feed address is shown once, when made; the .ics download is a file, not a page
NOT_PAGES = {"one_to_ones.feed", "one_to_ones.meeting_ics"}


def _crawl(client, app) -> tuple[set[str], set[str]]:
    """GET-only walk from "/" through one-to-ones pages: (endpoints reached, hrefs seen)."""
    adapter = app.url_map.bind("localhost")
    seen: set[str] = set()
    endpoints: set[str] = set()
    hrefs: set[str] = set()
    queue = deque(["/"])
    while queue and len(seen) < 120:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            endpoint, _args = adapter.match(urlsplit(path).path, method="GET")
        except HTTPException:
            continue
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        endpoints.add(endpoint)
        for href in HREF.findall(response.get_data(as_text=True)):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.scheme or parts.netloc or not parts.path.startswith("/one-to-ones"):
                continue
            hrefs.add(parts.path)
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return endpoints, hrefs


def test_every_one_to_ones_page_is_linked(app, client, org, db_session):
    make_series(org.line, org.learner)
    submitted(org.learner)
    db_session.commit()
    reached: set[str] = set()
    hrefs: set[str] = set()
    for person in (org.line, org.learner):
        login(client, person)
        found, links = _crawl(client, app)
        reached |= found
        hrefs |= links
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    pages = {rule.endpoint for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("one_to_ones.") and "GET" in rule.methods}
    assert sorted(pages - NOT_PAGES - reached) == []
    assert any(h.endswith("/calendar.ics") for h in hrefs)
