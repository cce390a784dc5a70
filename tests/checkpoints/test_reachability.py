"""Every checkpoints page can be reached by following links from the home page (nav or another
page): nobody has to type an address."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from checkpoints import operations as ops
from tests.checkpoints.helpers import programme, rubric_version
from tests.conftest import csrf_token, login

HREF = re.compile(r'href="([^"#]*)')
MAX_PAGES = 400


def _crawl(client, app) -> set[str]:
    """GET-only breadth-first walk from "/"; returns the endpoints of the pages reached."""
    adapter = app.url_map.bind("localhost")
    seen: set[str] = set()
    endpoints: set[str] = set()
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            endpoint, _args = adapter.match(path, method="GET")
        except HTTPException:
            continue
        if endpoint == "static":
            continue
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        endpoints.add(endpoint)
        for href in HREF.findall(response.get_data(as_text=True)):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            queue.append(parts.path)
    return endpoints


def test_every_checkpoints_page_is_linked(app, client, org, db_session):
    version = rubric_version("Reachability rubric")
    prog = programme(org.ld, title="Reachable elective")
    ops.add_checkpoint(prog, ops.CheckpointFields(title="Assessed", kind="summative",
                                                  rubric_version_id=version.id))
    programme(org.ld, title="Reachable draft", publish=False)
    ops.self_enrol(org.learner, prog)
    db_session.commit()

    reached: set[str] = set()
    for person in (org.learner, org.ld):
        login(client, person)
        reached |= _crawl(client, app)
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})

    pages = {rule.endpoint for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("checkpoints.") and "GET" in rule.methods}
    assert pages, "no checkpoints pages registered"
    assert sorted(pages - reached) == []
