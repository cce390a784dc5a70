"""L&D's insights pages: the learning funnel (and its CSV) and the manager engagement KPI.

Thin views: the figures come from :mod:`engagement.insights.funnel` and
:mod:`engagement.insights.kpi`, a fixed number of SQL statements per page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from flask import Response, render_template, request

from clearance.access import can, rule
from clearance.templating import nav_item
from engagement import periods
from engagement.insights import funnel as fn
from engagement.insights import kpi
from engagement.insights.forms import FunnelFilterForm, YearForm

nav_item("Learning funnel", "insights.funnel", lambda u: can(u, "insights.read"), order=62,
         group="Reports")
nav_item("Manager engagement", "insights.managers", lambda u: can(u, "insights.read"),
         order=63, group="Reports")

SORTS = {"share": "Share, highest first", "unit": "Unit, A to Z",
         "managers": "Managers, most first", "engaged": "Engaged, most first"}
#: above this many units the chart would be unreadable; the table has them all
MAX_UNIT_BARS = 30
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _filter_form() -> FunnelFilterForm:
    form = FunnelFilterForm(request.args)
    form.set_choices(fn.units(), fn.programmes())
    return form


def _filters(form: FunnelFilterForm) -> dict[str, Any]:
    return {"audience": form.audience.data or None, "unit": form.unit.data or None,
            "programme_id": form.programme_id()}


def _args(form: FunnelFilterForm) -> dict[str, str]:
    """The non-period filters as query arguments (for the CSV link)."""
    return {k: v for k, v in (("audience", form.audience.data), ("unit", form.unit.data),
                              ("programme", form.programme.data)) if v}


@rule("insights.read")
def funnel() -> Any:
    form = _filter_form()
    valid = form.validate()
    period = form.chosen() if valid else None
    context: dict[str, Any] = {"form": form, "period": period}
    if period is not None:
        context["csv_args"] = {**period.query_args(), **_args(form)}
        filters = _filters(form)
        context["funnels"] = [fn.funnel(period.first, period.last, source=s, **filters)
                              for s in fn.SOURCES]
        context["sources"] = fn.SOURCES
    # a bad filter is a bad request, as on the other engagement pages (the form shows why)
    return render_template("insights/funnel.html", **context), (200 if valid else 400)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


@rule("insights.read")
def funnel_csv() -> Any:
    form = _filter_form()
    if not form.validate():
        problems = "; ".join(f"{f.label.text}: {e}" for f in form for e in f.errors)
        return Response(f"Check the filters: {problems}\n", status=400, mimetype="text/plain")
    period = form.chosen()
    filters = _filters(form)
    programme = {str(i): t for i, t in fn.programmes()}.get(form.programme.data or "")
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["period_start", "period_end", "audience", "unit", "programme", "funnel",
                  "stage", "people", "from_stage_before_percent", "from_top_percent",
                  "who_counts"])
    for source in fn.SOURCES:
        result = fn.funnel(period.first, period.last, source=source, **filters)
        for stage in result.stages:
            out.writerow([_cell(v) for v in (
                period.first.isoformat(), period.last.isoformat(),
                filters["audience"] or "everyone", filters["unit"] or "every unit",
                programme or "every programme", source, stage.label,
                "n/a" if stage.count is None else stage.count,
                stage.step_rate, stage.top_rate, stage.note)])
    filename = f"learning-funnel-{period.filename_part}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _sorted_units(rows: list[kpi.UnitRow], sort: str) -> list[kpi.UnitRow]:
    if sort == "unit":
        return sorted(rows, key=lambda r: r.unit.lower())
    if sort == "managers":
        return sorted(rows, key=lambda r: (-r.managers, r.unit.lower()))
    if sort == "engaged":
        return sorted(rows, key=lambda r: (-r.engaged, r.unit.lower()))
    return rows  # manager_engagement sorts by share, highest first


def trend_points(result: kpi.ManagerEngagement) -> list[dict[str, Any]]:
    """Twelve months for the chart: the months that have started carry the cumulative share."""
    known = {p.month: p for p in result.monthly}
    points = []
    for month in range(1, 13):
        day = dt.date(result.year, month, 1)
        point = known.get(day)
        points.append({"label": f"{day:%B %Y}", "short": f"{day:%b}",
                       "value": None if point is None else point.share,
                       "engaged": None if point is None else point.engaged})
    return points


@rule("insights.read")
def managers() -> Any:
    on = periods.today()
    form = YearForm(request.args)
    form.set_choices(on)
    form.validate()
    year = on.year if form.year.errors else form.chosen(on)
    sort = request.args.get("sort", "share")
    sort = sort if sort in SORTS else "share"
    result = kpi.manager_engagement(year, today=on)
    unit_bars = ([{"label": r.unit or "No unit", "value": r.share} for r in result.units]
                 if len(result.units) <= MAX_UNIT_BARS else [])
    return render_template(
        "insights/managers.html", form=form, result=result, year=year, sort=sort,
        sorts=SORTS, units=_sorted_units(result.units, sort), points=trend_points(result),
        unit_bars=unit_bars, long_date=periods.long_date, current_year=on.year,
        period=periods.calendar_year(year, on))
