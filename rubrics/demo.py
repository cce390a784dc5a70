"""Demo rubrics for ``flask demo seed``: four published rubrics owned by the L&D lead."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from clearance.extensions import db
from people.models import Person, email_key
from rubrics import operations
from rubrics.content import CriterionContent, LevelContent, VersionContent
from rubrics.models import Rubric

LD_LEAD_EMAIL = "helen.brooks@northfield.example"

Scale = list[tuple[str, str, str]]
Criteria = list[tuple[str, str, bool, Scale | None]]

THREE: Scale = [
    ("Not yet", "0", "Not shown yet, or shown only with prompting."),
    ("Meets", "2", "Shown clearly and reliably, as expected for the role."),
    ("Exceeds", "3", "Shown with confidence and insight; could coach others in it."),
]
FOUR: Scale = [
    ("Not yet", "0", "Little or no evidence yet."),
    ("Developing", "1", "Some evidence, but inconsistent or needing prompts."),
    ("Meets", "2", "Consistent evidence that meets the standard."),
    ("Exceeds", "3", "Consistent evidence that goes beyond the standard."),
]

RUBRICS: list[dict[str, Any]] = [
    {
        "title": "Clinical handover reflection",
        "description": "For the reflective account of a shift handover the learner gave or "
                       "received, structured with SBAR.",
        "scale": THREE, "pass_min_position": 1, "pass_min_points": None,
        "criteria": [
            ("Structure (SBAR)", "The handover follows Situation, Background, Assessment, "
             "Recommendation, in that order, without gaps.", False, None),
            ("Patient safety", "Risks, outstanding tasks and escalation plans are named, "
             "and the learner checks they were understood.", True, None),
            ("Reflection on practice", "The learner says what went well, what they would "
             "change, and why, drawing on feedback from colleagues.", True, None),
            ("Professional communication", "Clear, respectful language; confidentiality kept; "
             "jargon explained.", False, None),
        ],
    },
    {
        "title": "Leading a team huddle",
        "description": "For a short safety huddle the learner led at the start of a shift.",
        "scale": FOUR, "pass_min_position": 2, "pass_min_points": "8",
        "criteria": [
            ("Preparation", "Staffing, acuity and known risks gathered before the huddle.",
             False, None),
            ("Focus and timing", "Kept to ten minutes and to what matters for this shift.",
             False, None),
            ("Involving the team", "Everyone is invited to speak; concerns are heard and "
             "acted on.", True, None),
            ("Actions and follow-up", "Each action has an owner and a time; the learner "
             "checks back before the end of the shift.", True, None),
        ],
    },
    {
        "title": "Coaching conversation",
        "description": "For a recorded or observed coaching conversation with a colleague, "
                       "using GROW.",
        "scale": THREE, "pass_min_position": 1, "pass_min_points": None,
        "criteria": [
            ("Goal", "A goal the colleague owns, agreed in their words.", False, None),
            ("Questions and listening", "Open questions; the learner listens more than they "
             "talk and reflects back what they hear.", True, None),
            ("Options and way forward", "The colleague generates the options and commits to "
             "a first step with a date.", False, None),
        ],
    },
    {
        "title": "Quality improvement mini-project",
        "description": "For a small improvement project run with a PDSA cycle.",
        "scale": None, "pass_min_position": 1, "pass_min_points": "7",
        "criteria": [
            ("Problem and aim", "A specific, measurable aim with a baseline.", False, [
                ("Unclear", "0", "The problem is described but there is no measurable aim."),
                ("Clear aim", "2", "A measurable aim with a baseline and a date."),
                ("Clear aim, agreed", "3", "As before, and agreed with the team and "
                 "patients or their representatives."),
            ]),
            ("Measurement", "Data collected before and after the change, shown over time.",
             True, [
                 ("None", "0", "No data, or data only after the change."),
                 ("Before and after", "2", "Data before and after the change."),
                 ("Run chart", "3", "A run chart with annotations for each change."),
             ]),
            ("Change and learning", "What was tried, what happened, and what comes next.",
             True, [
                 ("Described", "1", "The change is described."),
                 ("Tested", "2", "At least one PDSA cycle with a prediction and a result."),
                 ("Tested and spread", "4", "Several cycles, and a plan to sustain or spread "
                  "the change."),
             ]),
            ("Sharing", "Results shared with the team or a wider audience.", False, [
                ("Not yet", "0", "Not shared yet."),
                ("With the team", "1", "Shared at a team meeting or huddle."),
                ("Beyond the team", "2", "Shared beyond the team (poster, newsletter, "
                 "governance meeting)."),
            ]),
        ],
    },
]


def _levels(items: Scale) -> list[LevelContent]:
    return [LevelContent(name, Decimal(points), descriptor) for name, points, descriptor in items]


def content_for(spec: dict[str, Any]) -> VersionContent:
    shared = spec["scale"] is not None
    return VersionContent(
        criteria=[CriterionContent(title=title, description=description,
                                   comment_required=required,
                                   levels=[] if shared else _levels(levels or []))
                  for title, description, required, levels in spec["criteria"]],
        shared_scale=shared, scale=_levels(spec["scale"]) if shared else [],
        pass_min_position=spec["pass_min_position"],
        pass_min_points=(None if spec["pass_min_points"] is None
                         else Decimal(spec["pass_min_points"])),
        change_note="First version.",
    )


def seed_rubrics(summary: dict[str, Any]) -> None:
    """Add the demo rubrics (once: a database that already has rubrics is left alone)."""
    if db.session.scalar(select(func.count()).select_from(Rubric)):
        return
    owner = db.session.scalar(select(Person).where(Person.email_key == email_key(LD_LEAD_EMAIL)))
    for spec in RUBRICS:
        rubric = operations.create_rubric(title=spec["title"], description=spec["description"],
                                          owner=owner, by=owner, content=content_for(spec))
        operations.publish(rubric.versions[0], by=owner)
    summary["rubrics"] = len(RUBRICS)
    if "report" in summary:
        summary["report"] += f"\nRubrics: {len(RUBRICS)} published (owner: L&D lead)."
