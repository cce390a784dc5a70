"""Demo suggestions (``flask demo seed``, after the programmes): a year of L&D's monthly picks.

Each of the last twelve months has a theme taken from that month's leadership programme in
``checkpoints.demo`` (the series started ten months ago; the two months before it have
clinical themes). Managers get that month's leadership programme and last month's; everyone
gets a clinical programme and the month's leadership programme (open to all who lead without a
team); Ward 7 gets the sepsis refresher every third month. About fifty rows, one flush, one
audit event each (written as one batch).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from checkpoints import demo as checkpoint_demo
from checkpoints.models import Programme
from clearance import audit
from clearance.extensions import db
from engagement.suggestions.models import EVERYONE, MANAGERS, UNIT, Suggestion
from engagement.suggestions.operations import snapshot
from engagement.suggestions.queries import add_months, today
from people.models import Person, email_key

MONTHS = 12
#: the month's theme, one per leadership programme of checkpoints.demo.LEADERSHIP (in order)
THEMES = ("Compassion", "Coaching", "Safety", "Feedback", "Change", "Wellbeing", "Fairness",
          "Inclusion", "Trust", "Working through conflict", "Improvement", "The year ahead")
#: before the leadership series began: (theme, index into checkpoints.demo.CLINICAL)
EARLY = {-11: ("Spotting deterioration", 1), -10: ("Improvement", 2)}
SEPSIS = 1  # checkpoints.demo.CLINICAL[1], suggested to Ward 7


def seed_suggestions(summary: dict[str, Any]) -> None:
    """Add the demo suggestions (once: a database that has suggestions is left alone)."""
    if summary.get("skipped_people"):
        return
    if db.session.scalar(select(Suggestion.id).limit(1)) is not None:
        return
    titles = [s.title for s in checkpoint_demo.LEADERSHIP] + \
        [s.title for s in checkpoint_demo.CLINICAL]
    by_title = {p.title: p for p in db.session.scalars(
        select(Programme).where(Programme.title.in_(titles), Programme.status == "published"))}
    leadership = [by_title.get(s.title) for s in checkpoint_demo.LEADERSHIP]
    clinical = [by_title.get(s.title) for s in checkpoint_demo.CLINICAL]
    if not all(leadership) or not all(clinical):
        return  # the programmes were not seeded (or were renamed): nothing to suggest
    author = db.session.scalar(select(Person).where(
        Person.email_key == email_key(checkpoint_demo.LD_LEAD)))
    this_month = today().replace(day=1)
    started = checkpoint_demo.MONTHS_RELEASED - 1  # months ago the leadership series began
    rows: list[Suggestion] = []

    def suggest(month: dt.date, theme: str, audience: str, picks: list[Programme],
                unit: str = "") -> None:
        created = dt.datetime.combine(add_months(month, -1).replace(day=25), dt.time(10),
                                      tzinfo=dt.UTC)
        for position, programme in enumerate(picks):
            rows.append(Suggestion(
                programme=programme, month=month, theme=theme, audience=audience,
                unit=unit, position=position, active=True,
                created_by_id=author.id if author else None,
                created_at=created, updated_at=created))

    for ago in range(MONTHS - 1, -1, -1):
        month = add_months(this_month, -ago)
        index = started - ago  # which leadership programme was released this month
        turn = clinical[(index + 3) % len(clinical)]
        if 0 <= index < len(leadership):
            theme = THEMES[index]
            managers = [leadership[index]] + ([leadership[index - 1]] if index else [])
            everyone = [turn, leadership[index]]
        else:
            theme, pick = EARLY.get(-ago, ("Clinical skills", 0))
            managers = [clinical[pick]]
            everyone = [clinical[pick]]
        suggest(month, theme, MANAGERS, managers)
        suggest(month, theme, EVERYONE, everyone)
        if ago % 3 == 0:
            suggest(month, theme, UNIT, [clinical[SEPSIS]], unit=checkpoint_demo.MANDATORY_UNIT)
    db.session.add_all(rows)
    db.session.flush()
    audit.record_many([
        audit.PendingEvent("suggestion.added", object_type="suggestion", object_id=s.id,
                           after=snapshot(s),
                           actor_id=author.id if author else None, use_default_actor=False)
        for s in rows])
    line = (f"Suggestions: {len(rows)} over the last {MONTHS} months "
            "(the intranet widget's monthly picks for managers, everyone and Ward 7).")
    summary["report"] = summary.get("report", "") + "\n" + line
