"""Route x role rules for rubrics: only L&D and admins author; anyone signed in reads a
published version; drafts are hidden (404) from everyone else; managers may add to the
comment bank of a version they may read."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from tests.access import NOT_FOUND, OK, REDIRECT, Rule, everyone, only

AUTHORS = ("ld", "admin")
MANAGERS = ("line_manager", "skip_manager", "unrelated_manager")


def _setup(org: Any, _make: Any) -> dict[str, Any]:
    from rubrics import operations as ops
    from tests.rubrics.helpers import make_rubric

    published = make_rubric(org.ld, title="Published rubric", pin=True)
    snippet = ops.add_snippet(published.criteria[0], "Clear and specific.", by=org.ld)
    second = ops.new_draft(published.rubric, by=org.ld)  # version 2: a draft
    draft = make_rubric(org.ld, title="Draft rubric", publish=False)
    own = make_rubric(org.ld, title="Own levels", publish=False, shared=False)
    ops.add_level(own, criterion=own.criteria[0], name="Outstanding", points=Decimal(5))
    return {
        "rubric": published.rubric_id, "published": published.id, "second": second.id,
        "published_criterion": published.criteria[0].id, "snippet": snippet.id,
        "draft": draft.id, "draft_rubric": draft.rubric_id,
        "criterion": draft.criteria[0].id, "level": draft.scale[1].id,
        "own_criterion": own.criteria[0].id,
    }


def _csv() -> tuple[io.BytesIO, str]:
    body = ("criterion,level,points\nListening,Not yet,0\nListening,Meets,1\n"
            "Questions,Not yet,0\nQuestions,Meets,1\n")
    return io.BytesIO(body.encode()), "coaching.csv"


def author(endpoint: str, path: Any, method: str = "GET", status: int = OK, **kw: Any) -> Rule:
    return Rule(f"rubrics.{endpoint}", path, only(AUTHORS, status), method=method,
                setup=_setup, **kw)


RULES = [
    author("index", lambda o, x: "/rubrics"),
    author("new", lambda o, x: "/rubrics/new"),
    author("new", lambda o, x: "/rubrics/new", "POST", REDIRECT,
           data=lambda o, x: {"title": "Team huddle", "scale": "three"}),
    author("show", lambda o, x: f"/rubrics/{x['rubric']}"),
    author("edit_details", lambda o, x: f"/rubrics/{x['rubric']}/edit"),
    author("edit_details", lambda o, x: f"/rubrics/{x['rubric']}/edit", "POST", REDIRECT,
           data=lambda o, x: {"title": "Renamed rubric", "description": "Now clearer"}),
    author("start_draft", lambda o, x: f"/rubrics/{x['draft_rubric']}/draft", "POST", REDIRECT,
           note="(has a draft: sent to it)"),
    author("duplicate", lambda o, x: f"/rubrics/{x['rubric']}/duplicate", "POST", REDIRECT),
    author("archive", lambda o, x: f"/rubrics/{x['rubric']}/archive", "POST", REDIRECT),
    author("restore", lambda o, x: f"/rubrics/{x['rubric']}/restore", "POST", REDIRECT),
    Rule("rubrics.version", lambda o, x: f"/rubrics/versions/{x['published']}", everyone(OK),
         setup=_setup, note="(published: everyone signed in may read it)"),
    Rule("rubrics.version", lambda o, x: f"/rubrics/versions/{x['draft']}",
         only(AUTHORS, OK, NOT_FOUND), setup=_setup, note="(draft: hidden from readers)"),
    author("changes", lambda o, x: f"/rubrics/versions/{x['second']}/changes"),
    author("build", lambda o, x: f"/rubrics/versions/{x['draft']}/build"),
    author("settings", lambda o, x: f"/rubrics/versions/{x['draft']}/settings", "POST",
           REDIRECT, data=lambda o, x: {"rule-pass_min_position": "1",
                                        "rule-pass_min_points": "4",
                                        "rule-pass_combine": "all",
                                        "rule-change_note": "First cut"}),
    author("scale_mode", lambda o, x: f"/rubrics/versions/{x['draft']}/scale-mode", "POST",
           REDIRECT, data=lambda o, x: {"mode-shared": "own"}),
    author("add_criterion", lambda o, x: f"/rubrics/versions/{x['draft']}/criteria", "POST",
           REDIRECT, data=lambda o, x: {"new-title": "Teamwork", "new-description": "Shares"}),
    author("add_level", lambda o, x: f"/rubrics/versions/{x['draft']}/levels", "POST", REDIRECT,
           data=lambda o, x: {"scale-name": "Outstanding", "scale-points": "4"}),
    author("publish", lambda o, x: f"/rubrics/versions/{x['draft']}/publish", "POST", REDIRECT),
    author("discard", lambda o, x: f"/rubrics/versions/{x['second']}/discard", "POST",
           REDIRECT),
    author("edit_criterion", lambda o, x: f"/rubrics/criteria/{x['criterion']}/edit"),
    author("edit_criterion", lambda o, x: f"/rubrics/criteria/{x['criterion']}/edit", "POST",
           REDIRECT, data=lambda o, x: {"title": "Structure", "weight": "2"}),
    author("delete_criterion", lambda o, x: f"/rubrics/criteria/{x['criterion']}/delete",
           "POST", REDIRECT),
    author("move_criterion", lambda o, x: f"/rubrics/criteria/{x['criterion']}/move", "POST",
           REDIRECT, data=lambda o, x: {"direction": "down"}),
    author("add_criterion_level", lambda o, x: f"/rubrics/criteria/{x['own_criterion']}/levels",
           "POST", REDIRECT,
           data=lambda o, x: {f"c{x['own_criterion']}-level-name": "Beyond",
                              f"c{x['own_criterion']}-level-points": "6"}),
    author("edit_level", lambda o, x: f"/rubrics/levels/{x['level']}/edit"),
    author("edit_level", lambda o, x: f"/rubrics/levels/{x['level']}/edit", "POST", REDIRECT,
           data=lambda o, x: {"name": "Meets", "points": "2.5", "descriptor": "Reliably"}),
    author("delete_level", lambda o, x: f"/rubrics/levels/{x['level']}/delete", "POST",
           REDIRECT),
    author("move_level", lambda o, x: f"/rubrics/levels/{x['level']}/move", "POST", REDIRECT,
           data=lambda o, x: {"direction": "up"}),
    author("preview", lambda o, x: f"/rubrics/versions/{x['published']}/preview"),
    author("preview", lambda o, x: f"/rubrics/versions/{x['published']}/preview", "POST",
           note="(a trial check: saves nothing)",
           data=lambda o, x: {"feedback": "Too short"}),
    author("comments", lambda o, x: f"/rubrics/{x['rubric']}/comments"),
    Rule("rubrics.add_snippet",
         lambda o, x: f"/rubrics/criteria/{x['published_criterion']}/comments",
         only((*AUTHORS, *MANAGERS), REDIRECT), method="POST", setup=_setup,
         data=lambda o, x: {f"c{x['published_criterion']}-text": "Link it to patient safety."},
         note="(approvers add to the bank of a published version)"),
    author("delete_snippet", lambda o, x: f"/rubrics/comments/{x['snippet']}/delete", "POST",
           REDIRECT),
    author("export_json", lambda o, x: f"/rubrics/versions/{x['published']}/export.json"),
    author("export_csv", lambda o, x: f"/rubrics/versions/{x['published']}/export.csv"),
    author("import_", lambda o, x: "/rubrics/import"),
    author("import_", lambda o, x: "/rubrics/import", "POST", REDIRECT,
           data=lambda o, x: {"file": _csv(), "title": "Coaching", "target": ""}),
]
