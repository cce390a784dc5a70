"""The shared chart macros (templates/macros/charts.html): labels are wrapped, never cut short,
and stay inside the drawing; short labels sit beside their bars; a row can be greyed with a
note in words; a crowded trend writes every other axis label and value, the table all of them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

CHARS = 47  # the macros' wrap width: (400 - 4) / 8.4 units a character
LONG = ("Leadership for ward managers: leading a team through change, with coaching "
        "conversations and a quality improvement project (Supercalifragilisticexpialidocious"
        "extraordinarilylongwordthatdoesnotbreak)")


def render(app: Any, call: str, **values: Any) -> str:
    template = app.jinja_env.from_string(
        '{% from "macros/charts.html" import bar_chart, trend_chart, funnel_chart %}' + call)
    with app.test_request_context():
        return template.render(**values)


def svg(html: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg\b.*?</svg>", html, re.S).group(0))


def texts(root: ET.Element, cls: str) -> list[ET.Element]:
    return [t for t in root.iter("{http://www.w3.org/2000/svg}text") if cls in t.get("class", "")
            ] or [t for t in root.iter("text") if cls in t.get("class", "")]


def inside(root: ET.Element, element: ET.Element) -> bool:
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    x, y = float(element.get("x")), float(element.get("y"))
    return 0 <= x <= width and 0 < y <= height


def test_long_bar_labels_wrap_above_their_bars_and_are_never_cut_short(app):
    rows = [{"label": LONG, "value": 40}, {"label": "Sepsis recognition refresher", "value": 75}]
    html = render(app, '{{ bar_chart(rows, "Applying on the job") }}', rows=rows)
    assert "…" not in html
    root = svg(html)
    lines = [t.text for t in texts(root, "chart-axis")]
    first = lines[:-1]
    assert len(first) >= 4, lines
    assert " ".join(first).replace(" ", "") == LONG.replace(" ", ""), "every character is drawn"
    assert all(len(line) <= CHARS for line in lines), lines
    assert lines[-1] == "Sepsis recognition refresher"
    assert all(inside(root, t) for t in texts(root, "chart-"))
    assert all(t.get("text-anchor") is None and t.get("x") == "0"
               for t in texts(root, "chart-axis")), "long labels start at the left, above"
    # the table beside has the whole label in one cell
    assert f'<th scope="row">{LONG}</th>' in html


def test_short_labels_sit_beside_their_bars(app):
    rows = [{"label": "Agree", "value": 10}, {"label": "Concern", "value": 3},
            {"label": "Overturn", "value": 0}]
    root = svg(render(app, '{{ bar_chart(rows, "Verdicts") }}', rows=rows))
    labels = texts(root, "chart-axis")
    assert [t.text for t in labels] == ["Agree", "Concern", "Overturn"]
    assert {t.get("text-anchor") for t in labels} == {"end"}
    assert all(inside(root, t) for t in texts(root, "chart-"))


def test_a_muted_row_is_greyed_and_says_why_in_words(app):
    rows = [{"label": "Clinical handover", "value": 87.0, "display": "87.0%"},
            {"label": "Leading with compassion", "value": 100.0, "display": "100.0%",
             "muted": True, "note": "Only 2 answers: too few to compare"}]
    html = render(app, '{{ bar_chart(rows, "Applying", max_value=100) }}', rows=rows)
    root = svg(html)
    bars = [r.get("class") for r in root.iter() if r.tag.endswith("rect")]
    assert bars == ["chart-bar", "chart-bar chart-bar-muted"]
    assert [t.text for t in texts(root, "chart-note")] == ["Only 2 answers: too few to compare"]
    assert ('<tr class="row-muted"><th scope="row">Leading with compassion <span class="row-note">'
            "(Only 2 answers: too few to compare)</span></th>") in html


def test_funnel_stage_labels_wrap_too(app):
    stages = [{"label": "Looked at suggested learning, the catalogue or a programme",
               "count": 254}, {"label": LONG, "count": 10, "step_rate": 3.9}]
    html = render(app, '{{ funnel_chart(stages, "Funnel") }}', stages=stages)
    assert "…" not in html
    root = svg(html)
    lines = [t.text for t in texts(root, "chart-axis")]
    assert lines[:2] == ["Looked at suggested learning, the catalogue or",
                         "a programme"]
    assert " ".join(lines[2:]).replace(" ", "") == LONG.replace(" ", "")
    assert all(len(line) <= CHARS for line in lines)
    assert all(inside(root, t) for t in texts(root, "chart-"))
    assert [t.text for t in texts(root, "chart-value")] == ["254", "10 (3.9%)"]


def test_a_crowded_trend_writes_every_other_label_and_value(app):
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    points = [{"label": f"{m} 2026", "short": m, "value": 1.5 * i + 1}
              for i, m in enumerate(months)]
    html = render(app, '{{ trend_chart(points, "Engaged", kind="line", value_format="{:.1f}%", '
                       'target=22.5) }}', points=points)
    root = svg(html)
    assert [t.text for t in texts(root, "chart-axis") if "chart-axis-small" not in
            t.get("class")] == months[::2]
    assert [t.text for t in texts(root, "chart-value")] == [
        f"{1.5 * i + 1:.1f}%" for i in range(0, 12, 2)]
    assert [t.text for t in texts(root, "chart-target-label")] == ["Target 22.5%"]
    assert all(inside(root, t) for t in texts(root, "chart-"))
    for i, m in enumerate(months):  # the table has every month and value
        assert f'<th scope="row">{m} 2026</th><td>{1.5 * i + 1:.1f}%</td>' in html
    few = render(app, '{{ trend_chart(points, "Agreement", value_format="{:.0f}%", '
                      'max_value=100) }}', points=points[:6])
    assert [t.text for t in texts(svg(few), "chart-value")] == [
        f"{1.5 * i + 1:.0f}%" for i in range(6)]
