"""Results for leadership: the page and its PDF summary (same sections, same period)."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, current_app, render_template, request
from flask_login import current_user

from clearance.access import can, rule
from clearance.database import utcnow
from clearance.home import home_panel
from clearance.templating import nav_item
from engagement.periods import Period, PeriodForm
from engagement.results import sections
from portfolios.records.render import RenderFailed, limits_from_config, render_pdf

nav_item("Results", "results.page", lambda u: can(u, "results.read"), order=66,
         group="Reports")


@home_panel("results/_home_panel.html", order=15)
def _panel(user: Any) -> dict[str, Any] | None:
    return {} if can(user, "results.read") else None


def _form() -> tuple[PeriodForm, Period | None]:
    """The period the query string asks for (None when it is not valid)."""
    if not request.args:
        form = PeriodForm()
        return form, form.chosen()
    form = PeriodForm(formdata=request.args)
    if not form.validate():
        return form, None
    return form, form.chosen()


def _page(form: PeriodForm, period: Period | None, *, status: int = 200,
          problem: str = "") -> Any:
    filled = sections.gather(period) if period is not None else []
    return render_template("results/page.html", form=form, period=period, sections=filled,
                           problem=problem), status


@rule("results.read")
def page() -> Any:
    form, period = _form()
    return _page(form, period, status=200 if period is not None else 400)


#: WeasyPrint draws an inline SVG as an image of its own: the page's stylesheet does not reach
#: inside, so each chart gets the chart colours (clearance.css's .chart-*) as an SVG <style>.
SVG_STYLE = (
    "<style>text{font-family:'Record Sans',sans-serif}"
    ".chart-bar{fill:#1d70b8}.chart-funnel-1{fill:#003078}"
    ".chart-bar-muted{fill:#b1b4b6;stroke:#505a5f;stroke-width:1;stroke-dasharray:3 2}"
    ".chart-na{fill:#f3f2f1;stroke:#505a5f;stroke-width:1;stroke-dasharray:4 3}"
    ".chart-grid{stroke:#b1b4b6;stroke-width:1}.chart-axis-line{stroke:#505a5f;stroke-width:1.5}"
    ".chart-target{stroke:#0b0c0c;stroke-width:2;stroke-dasharray:6 4}"
    ".chart-target-label{fill:#0b0c0c;font-size:13px;font-weight:bold}"
    ".chart-line{fill:none;stroke:#1d70b8;stroke-width:3}"
    ".chart-point{fill:#1d70b8;stroke:#fff;stroke-width:1.5}"
    ".chart-axis{fill:#383f43;font-size:14px}.chart-axis-small{font-size:12px}"
    ".chart-note{fill:#383f43;font-size:13px;font-style:italic}"
    ".chart-value{fill:#0b0c0c;font-size:14px;font-weight:bold}.chart-value-small{font-size:12px}"
    ".chart-value-inside{fill:#fff}"
    "</style>")
_SVG_OPEN = re.compile(r"(<svg\b[^>]*>)")


def summary_html(period: Period) -> str:
    """The PDF's HTML: the page's sections, printed (charts as inline SVG, tables beside)."""
    html = render_template("results/summary_pdf.html", period=period,
                           sections=sections.gather(period),
                           generated_at=utcnow().replace(microsecond=0),
                           generated_by=current_user)
    return _SVG_OPEN.sub(lambda m: m.group(1) + SVG_STYLE, html)


@rule("results.read")
def summary_pdf() -> Any:
    form, period = _form()
    if period is None:
        return _page(form, None, status=400)
    try:
        pdf = render_pdf(summary_html(period), None, limits_from_config(current_app.config))
    except RenderFailed as exc:
        current_app.logger.warning("results summary for %s failed: %s", period.label, exc)
        return _page(form, period, status=503,
                     problem="The PDF could not be made just now. Try again, or choose a "
                             "shorter period.")
    filename = f"results-summary-{period.filename_part}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })
