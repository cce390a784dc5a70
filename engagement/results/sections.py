"""The sections of the results page and PDF, each from a small provider ``fn(period)``.

A provider returns the figures its template shows (``templates/results/_<key>.html``, the same
template on the page and in the PDF), or None when there is nothing it may show (the pulse
below its anonymity threshold). Sections computed here come from :mod:`figures`; the others
call the engagement subpackage that owns the figures (insights, application, pulse).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engagement.application import queries as application_queries
from engagement.insights import kpi
from engagement.periods import Period
from engagement.pulse import queries as pulse_queries
from engagement.results import figures

#: how many units the manager engagement section lists (those furthest below the target)
UNITS_SHOWN = 10


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    provider: Callable[[Period], Any]

    @property
    def template(self) -> str:
        return f"results/_{self.key}.html"


@dataclass
class Filled:
    section: Section
    data: Any

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def title(self) -> str:
        return self.section.title


@dataclass
class Application:
    rows: list[application_queries.ProgrammeApplication]
    total: application_queries.ProgrammeApplication | None


def application(period: Period) -> Application:
    """Level-3 checks that came due in the period, by programme (engagement.application)."""
    rows = application_queries.rates_by_programme(period.first, period.last)
    return Application(rows, application_queries.total(rows))


@dataclass
class Engagement:
    kpi: kpi.ManagerEngagement
    below: list[kpi.UnitRow]


def engagement(period: Period) -> Engagement:
    """The manager engagement KPI for the calendar year of the period's last day, as of that
    day (engagement.insights), with the units furthest below the target."""
    figures_ = kpi.manager_engagement(period.year, today=period.last)
    below = sorted((u for u in figures_.units if u.managers), key=lambda u: (u.vs_target,
                                                                              u.unit))
    return Engagement(figures_, below[:UNITS_SHOWN])


@dataclass
class Pulse:
    aggregate: pulse_queries.PulseAggregate | None
    minimum: int


def pulse(period: Period) -> Pulse:
    """The learner pulse for the months of the period (engagement.pulse); ``aggregate`` is
    None below the anonymity threshold, and then nothing else is shown."""
    return Pulse(pulse_queries.aggregate(period.first, period.last),
                 pulse_queries.min_responses())


SECTIONS: list[Section] = [
    Section("turnaround", "Approval turnaround", figures.turnaround),
    Section("completion", "Programme completion", figures.completion),
    Section("agreement", "L&D agreement with decisions", figures.agreement),
    Section("application", "Applying learning on the job (level 3)", application),
    Section("engagement", "Manager engagement against the target", engagement),
    Section("pulse", "What learners say (the pulse)", pulse),
]


def gather(period: Period) -> list[Filled]:
    """Every section's figures for ``period``, in page order."""
    return [Filled(section, section.provider(period)) for section in SECTIONS]
