"""The application check plugs into the rest of the product here (imported by the app factory,
DOMAIN_MODULES): scheduled at the final approval (portfolios hand-off), shown under the approved
version on the submission page, in the manager's 1:1 agenda with that report, and on the home
page (managers with checks to answer; L&D: the results pages)."""

from __future__ import annotations

from typing import Any

from clearance.cli import register_demo_seeder
from clearance.home import home_panel
from engagement.application import operations, queries
from portfolios import handoff
from portfolios.panels import register_version_panel

handoff.register_approved_handler(operations.schedule_for_approval)
register_demo_seeder(64, "engagement.application.demo:seed_application_checks")


def _version_panel(submission: Any, viewer: Any) -> dict[int, Any]:
    """Under the approved version: when the line manager will be asked, or their answer.
    Whoever may see the submission page sees it (the learner included: the form says so)."""
    if submission.state != "approved":
        return {}
    check = queries.of_submission(submission.id)
    if check is None:
        return {}
    version = submission.latest_version
    if check.decision_id is not None:
        from approvals.models import Decision
        from clearance.extensions import db

        decision = db.session.get(Decision, check.decision_id)
        if decision is not None:
            return {decision.version_id: {"check": check, "today": operations.today(),
                                          "own": viewer.id == submission.person_id}}
    if version is None:
        return {}
    return {version.id: {"check": check, "today": operations.today(),
                         "own": viewer.id == submission.person_id}}


register_version_panel("application/_version_panel.html", _version_panel)


def _agenda_section(context: Any) -> Any:
    """The report's due, unanswered checks, for their line manager only (one query)."""
    from approvals.one_to_ones.agenda import AgendaLine, AgendaSection
    from clearance.urls import local_path

    if context.viewer is None or context.viewer.id != context.manager.id:
        return None
    checks = queries.open_for_report(context.manager.id, context.report.id)
    if not checks:
        return None
    lines = tuple(
        AgendaLine(text=f"Is {context.report.name} applying “{c.checkpoint.title}” on the job?",
                   href=local_path("application_checks.check", check_id=c.id),
                   detail=f"due since {c.due_on:%-d %B %Y}", when=c.due_on)
        for c in checks)
    return AgendaSection(key="application_checks", title="Application on the job",
                         lines=lines)


try:
    from approvals.one_to_ones.agenda import register_agenda_section
except ImportError:  # one-to-ones not installed in this build
    register_agenda_section = None  # type: ignore[assignment]
if register_agenda_section is not None:
    register_agenda_section(_agenda_section)


@home_panel("application/_home_panel.html", order=26)
def _home_panel(user: Any) -> dict[str, Any] | None:
    """Managers with checks to answer; L&D and admins: links to the results pages."""
    staff = bool(user.has_role("ld") or user.has_role("admin"))
    waiting = queries.open_count(user.id) if user.is_manager else 0
    if not waiting and not staff:
        return None
    return {"waiting": waiting, "staff": staff}
