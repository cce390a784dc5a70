"""Route x role rows for every portfolio endpoint (the matrix test runs them)."""

from __future__ import annotations

import io
from typing import Any

from tests.access import NOT_FOUND, OK, REDIRECT, Rule, everyone

FORBIDDEN = 403
VIEWERS = ("learner", "line_manager", "skip_manager", "ld", "admin")


def viewers(status: int = OK, hidden: int = NOT_FOUND) -> dict[str, Any]:
    """The learner, their managers up the chain, L&D and admin; others get ``hidden``."""
    table = everyone(hidden)
    for role in VIEWERS:
        table[role] = status
    return table


def owner_only(status: int, hidden: int) -> dict[str, Any]:
    table = everyone(hidden)
    table["learner"] = status
    return table


def _setup(org: Any, _make: Any) -> dict[str, Any]:
    """A programme the learner is enrolled in: a draft with a file and a reflection, and a
    second checkpoint already submitted."""
    from portfolios import operations
    from portfolios.samples import pdf, png
    from tests.portfolios import factories as f

    prog = f.programme()
    draft_cp = f.checkpoint(prog, "Plan a safe handover", position=1)
    sent_cp = f.checkpoint(prog, "Lead a team huddle", position=2)
    f.enrol(org.learner, prog)
    evidence = operations.add_file(org.learner, draft_cp, io.BytesIO(pdf("Plan")), "plan.pdf")
    photo = operations.add_file(org.learner, draft_cp, io.BytesIO(png()), "ward-board.png")
    operations.save_reflection(org.learner, draft_cp, "What I did.")
    operations.save_reflection(org.learner, sent_cp, "Huddle notes.")
    sent = operations.find_submission(org.learner, sent_cp)
    operations.submit(sent, org.learner, expected_version=0)
    draft = operations.find_submission(org.learner, draft_cp)
    return {"draft_cp": draft_cp.id, "sent_cp": sent_cp.id, "draft": draft.id, "sent": sent.id,
            "file": evidence.id, "photo": photo.id}


def _upload(o: Any, x: dict[str, Any]) -> dict[str, Any]:
    from portfolios.samples import png

    return {"file": (io.BytesIO(png()), "ward-board.png"), "label": "Ward board"}


def _portfolio_of_learner() -> dict[str, Any]:
    table = viewers()
    table["learner"] = REDIRECT
    return table


RULES = [
    Rule("portfolios.portfolio", lambda o, x: "/portfolio", everyone(OK)),
    Rule("portfolios.person_portfolio", lambda o, x: f"/portfolio/people/{o.learner.id}",
         _portfolio_of_learner(), note="(managers up the chain, L&D and admin; 404 for others)"),
    Rule("portfolios.work", lambda o, x: f"/portfolio/checkpoints/{x['draft_cp']}",
         everyone(OK), setup=_setup, note="(each person sees only their own work)"),
    Rule("portfolios.upload", lambda o, x: f"/portfolio/checkpoints/{x['draft_cp']}/files",
         owner_only(REDIRECT, FORBIDDEN), method="POST", data=_upload, setup=_setup,
         note="(not enrolled: 403)"),
    Rule("portfolios.reflection",
         lambda o, x: f"/portfolio/checkpoints/{x['draft_cp']}/reflection",
         owner_only(REDIRECT, FORBIDDEN), method="POST",
         data=lambda o, x: {"body": "I learned to plan ahead."}, setup=_setup),
    Rule("portfolios.link", lambda o, x: f"/portfolio/checkpoints/{x['draft_cp']}/links",
         owner_only(REDIRECT, FORBIDDEN), method="POST",
         data=lambda o, x: {"url": "https://example.org/handover", "label": "Guide"},
         setup=_setup),
    Rule("portfolios.submit", lambda o, x: f"/portfolio/checkpoints/{x['draft_cp']}/submit",
         owner_only(REDIRECT, FORBIDDEN), method="POST",
         data=lambda o, x: {"version": "0"}, setup=_setup),
    Rule("portfolios.remove_evidence", lambda o, x: f"/portfolio/evidence/{x['file']}/remove",
         owner_only(REDIRECT, NOT_FOUND), method="POST", setup=_setup),
    Rule("portfolios.download", lambda o, x: f"/portfolio/evidence/{x['file']}/download",
         viewers(), setup=_setup),
    Rule("portfolios.preview", lambda o, x: f"/portfolio/evidence/{x['photo']}/preview",
         viewers(), setup=_setup, note="(an image)"),
    Rule("portfolios.preview", lambda o, x: f"/portfolio/evidence/{x['file']}/preview",
         everyone(NOT_FOUND), setup=_setup, note="(a PDF: never shown inline)"),
    Rule("portfolios.submission", lambda o, x: f"/portfolio/submissions/{x['sent']}",
         viewers(), setup=_setup),
    Rule("portfolios.diff", lambda o, x: f"/portfolio/submissions/{x['sent']}/changes",
         viewers(), setup=_setup),
    Rule("portfolios.withdraw", lambda o, x: f"/portfolio/submissions/{x['sent']}/withdraw",
         owner_only(REDIRECT, NOT_FOUND), method="POST", setup=_setup),
]
