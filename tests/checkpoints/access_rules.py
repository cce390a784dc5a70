"""Route x role rules for the catalogue, programme pages, enrolment and L&D authoring."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.access import FORBIDDEN, NOT_FOUND, OK, REDIRECT, SIGN_IN, Rule, everyone, only

STAFF = ("ld", "admin")


def _world(org: Any, _make: Any) -> dict[str, Any]:
    from checkpoints import operations as ops
    from checkpoints import queries
    from checkpoints.queries import AssignTarget
    from tests.checkpoints.helpers import programme, rubric_version

    version = rubric_version("Access rubric")
    open_ = programme(org.ld, title="Open elective", checkpoints=2)
    summative = ops.add_checkpoint(open_, ops.CheckpointFields(
        title="Assessed", kind="summative", rubric_version_id=version.id))
    draft = programme(org.ld, title="Draft programme", publish=False, checkpoints=1)
    later = programme(org.ld, title="Next month",
                      release_date=queries.today() + dt.timedelta(days=40))
    closed = programme(org.ld, title="Closed mandatory", kind="mandatory",
                       open_in_catalogue=False)
    archived = programme(org.ld, title="Old programme")
    ops.archive_programme(archived)
    ops.assign(closed, AssignTarget("people", (org.learner.id,)), by=org.ld)
    self_enrolment, _ = ops.self_enrol(org.learner, open_)
    other, _ = ops.self_enrol(org.other_learner, open_)
    return {"open": open_.id, "summative": summative.id, "cp": open_.checkpoints[0].id,
            "cp2": open_.checkpoints[1].id, "draft": draft.id, "later": later.id,
            "closed": closed.id, "archived": archived.id, "self_enrolment": self_enrolment.id,
            "other_enrolment": other.id}


def hidden_from_learners(status: int | str = OK) -> dict[str, int | str]:
    """Staff get ``status``; everyone else is told the programme does not exist."""
    return only(STAFF, status, NOT_FOUND)


def _post(status: int | str = REDIRECT, denied: int | str = FORBIDDEN) -> dict[str, int | str]:
    table = only(STAFF, status, denied)
    table["anonymous"] = SIGN_IN
    return table


def _programme_data(o: Any, x: dict[str, Any]) -> dict[str, Any]:
    return {"title": "Sepsis recognition refresher", "summary": "Spot it early.",
            "theme": "Clinical skills", "audience": "everyone", "release_date": "",
            "kind": "elective", "open_in_catalogue": "y"}


def _checkpoint_data(o: Any, x: dict[str, Any]) -> dict[str, Any]:
    return {"title": "Reflect on a handover", "guidance": "Write about it.",
            "min_evidence": "1", "allowed_evidence": ["reflection", "file"],
            "due_offset_days": "14", "kind": "formative", "approval_levels": "1",
            "rubric_version_id": ""}


W = _world
P = "/programmes/{}"

RULES = [
    # ---- learners: catalogue, programme pages, enrolment ----
    Rule("checkpoints.catalogue", lambda o, x: "/catalogue", everyone(OK)),
    Rule("checkpoints.programme", lambda o, x: f"/catalogue/{x['open']}", everyone(OK),
         setup=W, note="(open, released)"),
    Rule("checkpoints.programme", lambda o, x: f"/catalogue/{x['draft']}",
         hidden_from_learners(), setup=W, note="(draft)"),
    Rule("checkpoints.programme", lambda o, x: f"/catalogue/{x['later']}",
         hidden_from_learners(), setup=W, note="(not released yet)"),
    Rule("checkpoints.programme", lambda o, x: f"/catalogue/{x['closed']}",
         {**hidden_from_learners(), "learner": OK}, setup=W,
         note="(closed: only the enrolled learner)"),
    Rule("checkpoints.programme", lambda o, x: f"/catalogue/{x['archived']}",
         hidden_from_learners(), setup=W, note="(archived, nobody enrolled)"),
    Rule("checkpoints.rubric",
         lambda o, x: f"/catalogue/{x['open']}/checkpoints/{x['summative']}/rubric",
         everyone(OK), setup=W),
    Rule("checkpoints.rubric",
         lambda o, x: f"/catalogue/{x['draft']}/checkpoints/{x['summative']}/rubric",
         everyone(NOT_FOUND), setup=W, note="(checkpoint of another programme)"),
    Rule("checkpoints.enrol", lambda o, x: f"/catalogue/{x['open']}/enrol", everyone(REDIRECT),
         method="POST", setup=W,
         data=lambda o, x: {"source": "assigned", "person_id": o.other_learner.id}),
    Rule("checkpoints.enrol", lambda o, x: f"/catalogue/{x['closed']}/enrol",
         {**hidden_from_learners(FORBIDDEN), "learner": FORBIDDEN}, method="POST",
         setup=W, note="(closed programme)"),
    Rule("checkpoints.enrol", lambda o, x: f"/catalogue/{x['later']}/enrol",
         hidden_from_learners(FORBIDDEN), method="POST", setup=W, note="(not released yet)"),
    Rule("checkpoints.leave", lambda o, x: f"/catalogue/{x['open']}/leave",
         {**everyone(NOT_FOUND), "learner": REDIRECT, "other_learner": REDIRECT},
         method="POST", setup=W, note="(own self-enrolment; nobody else's)"),
    Rule("checkpoints.leave", lambda o, x: f"/catalogue/{x['closed']}/leave",
         {**hidden_from_learners(NOT_FOUND), "learner": FORBIDDEN}, method="POST", setup=W,
         note="(assigned: only L&D can remove it)"),
    Rule("checkpoints.my_programmes", lambda o, x: "/my/programmes", everyone(OK), setup=W),

    # ---- L&D authoring ----
    Rule("checkpoints.programmes", lambda o, x: "/programmes", only(STAFF), setup=W),
    Rule("checkpoints.new_programme", lambda o, x: "/programmes/new", only(STAFF)),
    Rule("checkpoints.new_programme", lambda o, x: "/programmes/new", _post(), method="POST",
         data=_programme_data),
    Rule("checkpoints.manage", lambda o, x: P.format(x["open"]), only(STAFF), setup=W),
    Rule("checkpoints.edit_programme", lambda o, x: P.format(x["open"]) + "/edit",
         only(STAFF), setup=W),
    Rule("checkpoints.edit_programme", lambda o, x: P.format(x["open"]) + "/edit", _post(),
         method="POST", setup=W, data=_programme_data),
    Rule("checkpoints.publish", lambda o, x: P.format(x["draft"]) + "/publish", _post(),
         method="POST", setup=W),
    Rule("checkpoints.archive", lambda o, x: P.format(x["open"]) + "/archive", _post(),
         method="POST", setup=W),
    Rule("checkpoints.restore", lambda o, x: P.format(x["archived"]) + "/restore", _post(),
         method="POST", setup=W),
    Rule("checkpoints.preview", lambda o, x: P.format(x["draft"]) + "/preview", only(STAFF),
         setup=W),
    Rule("checkpoints.new_checkpoint", lambda o, x: P.format(x["open"]) + "/checkpoints/new",
         only(STAFF), setup=W),
    Rule("checkpoints.new_checkpoint", lambda o, x: P.format(x["open"]) + "/checkpoints/new",
         _post(), method="POST", setup=W, data=_checkpoint_data),
    Rule("checkpoints.edit_checkpoint",
         lambda o, x: P.format(x["open"]) + f"/checkpoints/{x['cp']}/edit", only(STAFF),
         setup=W),
    Rule("checkpoints.edit_checkpoint",
         lambda o, x: P.format(x["draft"]) + f"/checkpoints/{x['cp']}/edit",
         only(STAFF, NOT_FOUND), setup=W, note="(checkpoint of another programme)"),
    Rule("checkpoints.edit_checkpoint",
         lambda o, x: P.format(x["open"]) + f"/checkpoints/{x['cp']}/edit", _post(),
         method="POST", setup=W, data=_checkpoint_data),
    Rule("checkpoints.move_checkpoint",
         lambda o, x: P.format(x["open"]) + f"/checkpoints/{x['cp']}/move", _post(),
         method="POST", setup=W, data=lambda o, x: {"direction": "down"}),
    Rule("checkpoints.remove_checkpoint",
         lambda o, x: P.format(x["open"]) + f"/checkpoints/{x['cp2']}/remove", _post(),
         method="POST", setup=W),
    Rule("checkpoints.assign", lambda o, x: P.format(x["open"]) + "/assign", only(STAFF),
         setup=W),
    Rule("checkpoints.assign", lambda o, x: P.format(x["open"]) + "/assign",
         _post(OK), method="POST", setup=W, note="(first step: shows how many)",
         data=lambda o, x: {"target": "managers"}),
    Rule("checkpoints.assign", lambda o, x: P.format(x["open"]) + "/assign", _post(),
         method="POST", setup=W, note="(confirmed)",
         data=lambda o, x: {"target": "people", "people": o.line.employee_id,
                            "confirm": "yes"}),
    Rule("checkpoints.enrolments", lambda o, x: P.format(x["open"]) + "/enrolments",
         only(STAFF), setup=W),
    Rule("checkpoints.remove_enrolment",
         lambda o, x: P.format(x["open"]) + f"/enrolments/{x['other_enrolment']}/remove",
         _post(), method="POST", setup=W),
    Rule("checkpoints.remove_enrolment",
         lambda o, x: P.format(x["closed"]) + f"/enrolments/{x['other_enrolment']}/remove",
         only(STAFF, NOT_FOUND), method="POST", setup=W,
         note="(enrolment of another programme)"),
]
