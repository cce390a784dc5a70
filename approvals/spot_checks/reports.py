"""L&D's reports: the calibration dashboard (with its CSV), one approver's calibration, and
the sampling coverage of a quarter."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Response, abort, current_app, render_template, request

from approvals.spot_checks import calibration as cal
from approvals.spot_checks import sampler, stats
from clearance.access import rule
from clearance.extensions import db
from people.models import Person

MONTH_CHOICES = (3, 6, 12, 24)
ORDERS = {"decisions": "most decisions", "agreement": "lowest agreement",
          "coverage": "lowest coverage"}


def _months() -> int:
    value = request.args.get("months", 12, type=int)
    return value if value in MONTH_CHOICES else 12


def _by() -> str:
    value = request.args.get("by", "approver")
    return value if value in ("approver", "unit") else "approver"


def bar_chart(months: list[cal.Month], width: int = 640, height: int = 220) -> dict[str, Any]:
    """Geometry of a bar chart of agreement rate by month (server-drawn SVG, no script)."""
    left, bottom, top = 44, 36, 12
    plot_h = height - bottom - top
    n = max(len(months), 1)
    slot = (width - left - 8) / n
    bars = []
    for i, m in enumerate(months):
        rate = m.agreement
        h = round(max((rate or 0) * plot_h, 2), 1)  # a 0% month still shows a sliver
        bars.append({"x": round(left + i * slot + slot * 0.15, 1), "w": round(slot * 0.7, 1),
                     "y": round(top + plot_h - h, 1), "h": h, "rate": rate,
                     "label": m.label, "short": m.label[:3], "cx": round(left + (i + .5) * slot, 1),
                     "checked": m.checked,
                     "value": f"{rate * 100:.0f}%" if rate is not None else "",
                     "low": rate is not None and rate < 0.8})
    ticks = [{"y": round(top + plot_h - plot_h * f, 1), "label": f"{int(f * 100)}%"}
             for f in (0, 0.5, 0.8, 1)]
    return {"width": width, "height": height, "bars": bars, "ticks": ticks, "left": left,
            "base": top + plot_h, "right": width - 8, "label_y": height - 14}


@rule("spot_checks.read")
def calibration() -> Any:
    months, by = _months(), _by()
    unit = (request.args.get("unit") or "").strip()[:200]
    order = request.args.get("order", "decisions")
    order = order if order in ORDERS else "decisions"
    period = cal.months_back(months)
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = 25
    rows, total = cal.table(by, period, unit=unit if by == "approver" else "", page=page,
                            per_page=per_page, order=order)
    trend = cal.trend(period, unit=unit)
    return render_template(
        "spot_checks/calibration.html", rows=rows, total=total, page=page, per_page=per_page,
        pages=max(1, -(-total // per_page)), by=by, unit=unit, months=months, order=order,
        orders=ORDERS, month_choices=MONTH_CHOICES, period=period,
        overall=cal.overall(period, unit=unit), trend=trend, chart=bar_chart(trend),
        criteria=cal.by_criterion(period, unit=unit), units=cal.units_with_decisions(period),
        band=stats.kappa_band)


@rule("spot_checks.read")
def approver(person_id: int) -> Any:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    months = _months()
    period = cal.months_back(months)
    found, _total = cal.table("approver", period, keys=[person.id])
    row = found[0] if found else cal.Row(key=person.id, label=person.name)
    trend = cal.trend(period, approver_id=person.id)
    return render_template(
        "spot_checks/approver.html", person=person, row=row, months=months,
        month_choices=MONTH_CHOICES, period=period, trend=trend, chart=bar_chart(trend),
        criteria=cal.by_criterion(period, approver_id=person.id), band=stats.kappa_band,
        policy=sampler.sampling_policy())


def _cell(value: Any) -> Any:
    """Numbers as they are; text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _fmt(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


@rule("spot_checks.read")
def calibration_csv() -> Any:
    months, by = _months(), _by()
    unit = (request.args.get("unit") or "").strip()[:200]
    period = cal.months_back(months)

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scope = unit if by == "approver" else ""

    def generate() -> Iterator[str]:
        # Streamed a chunk of groups at a time; each chunk is read in an app context of its
        # own that closes before the chunk is sent (the request's unit of work is over).
        yield _csv_text([CSV_HEADER[0].replace("group", by), *CSV_HEADER[1:]])
        page = 1
        while True:
            with app.app_context():
                rows, total = cal.table(by, period, unit=scope, page=page, per_page=500)
                text = "".join(_csv_text(_csv_row(row)) for row in rows)
            yield text
            if not rows or page * 500 >= total:
                return
            page += 1

    filename = f"calibration-by-{by}-{period.start:%Y-%m}-to-{period.end:%Y-%m}.csv"
    return Response(generate(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


CSV_HEADER = ["group", "name", "detail", "decisions", "sampled", "checked", "agreed",
              "agreement_rate", "weighted_kappa", "mean_level_difference", "leaning",
              "median_hours_to_decision", "mean_feedback_chars"]


def _csv_text(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _csv_row(row: cal.Row) -> list[Any]:
    return [_cell(str(row.key)), _cell(row.label), _cell(row.detail), row.decisions,
            row.sampled, row.checked, row.agreed, _fmt(row.agreement), _fmt(row.kappa),
            _fmt(row.mean_difference), row.leaning, _fmt(row.median_hours, 1),
            _fmt(row.mean_feedback, 0)]


@rule("spot_checks.read")
def coverage() -> Any:
    period = cal.quarter(request.args.get("quarter"))
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = 50
    units, _ = cal.table("unit", period, page=1, per_page=500, order="coverage")
    programmes, _ = cal.table("programme", period, page=1, per_page=500, order="coverage")
    approvers, total = cal.table("approver", period, page=page, per_page=per_page,
                                 order="coverage")
    return render_template(
        "spot_checks/coverage.html", period=period, quarters=cal.quarters_around(),
        units=units, programmes=programmes, approvers=approvers, total=total, page=page,
        pages=max(1, -(-total // per_page)), overall=cal.overall(period),
        base=cal.base_rate())
