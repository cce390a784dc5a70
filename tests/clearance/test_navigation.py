"""The navigation registry: groups take the place of their first item, a group of one shows its
item alone, the account group comes last, a group is current with its page and shows the sum of
its badges; and the pages render it for each role (a row of groups, and the narrow Menu with
labelled sub-lists)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask_login import login_user

from clearance import templating
from clearance.templating import ACCOUNT, NavItem, navigation
from tests.conftest import sign_in_directly


def _everyone(_user: Any) -> bool:
    return True


def _nobody(_user: Any) -> bool:
    return False


FAKE_NAV = [
    NavItem("Home", "main.home", _everyone, 0),
    NavItem("Funnel", "insights.funnel", _everyone, 10, lambda u: 0, group="Reports"),
    NavItem("My team", "people.team", _everyone, 20),
    NavItem("Managers", "insights.managers", _everyone, 30, lambda u: 2, group="Reports"),
    NavItem("Queue", "spot_checks.queue", _everyone, 40, lambda u: 3, group="Reports"),
    NavItem("Calibration", "spot_checks.calibration", _nobody, 41, group="Quality"),
    NavItem("Rates", "spot_checks.rates", _everyone, 42, lambda u: 5, group="Quality"),
    NavItem("My profile", "people.me", _everyone, 1, group=ACCOUNT),
]


def _nav(app: Any, person: Any, path: str, monkeypatch: pytest.MonkeyPatch
         ) -> list[dict[str, Any]]:
    monkeypatch.setattr(templating, "_NAV", sorted(FAKE_NAV, key=lambda i: i.order))
    with app.test_request_context(path):
        login_user(person)
        return navigation()


def test_groups_sit_where_their_first_item_would(app, org, monkeypatch):
    nav = _nav(app, org.ld, "/insights/managers", monkeypatch)
    assert [(e["kind"], e["label"]) for e in nav] == [
        ("link", "Home"), ("group", "Reports"), ("link", "My team"),
        ("link", "Rates"),          # a group of one visible item is that item on its own
        ("group", "Account")]       # always last (and a group: the layout adds Sign out)
    reports = nav[1]
    assert [i["label"] for i in reports["items"]] == ["Funnel", "Managers", "Queue"]
    assert reports["id"] == "reports" and not reports["account"] and nav[-1]["account"]


def test_a_group_is_current_with_its_page_and_sums_its_badges(app, org, monkeypatch):
    nav = _nav(app, org.ld, "/insights/managers", monkeypatch)
    reports = nav[1]
    assert reports["current"] is True
    assert [i["current"] for i in reports["items"]] == [False, True, False]
    assert reports["badge"] == 5      # 0 + 2 + 3: a zero badge counts nothing
    assert nav[3]["badge"] == 5 and nav[-1]["badge"] is None
    elsewhere = _nav(app, org.ld, "/team", monkeypatch)
    assert elsewhere[1]["current"] is False and elsewhere[2]["current"] is True


# ---------------------------------------------------------------- the pages


def _row(html: str) -> str:
    return html.split('<ul class="nav-row">', 1)[1].split('<details class="nav-menu">', 1)[0]


def _groups(html: str) -> list[str]:
    return [re.sub(r"<.*", "", s, flags=re.S).strip()
            for s in re.findall(r"<summary[^>]*>(.*?)</summary>", _row(html), re.S)]


def test_ld_and_admins_see_their_pages_in_groups(client, org):
    sign_in_directly(client, org.ld)
    html = client.get("/").get_data(as_text=True)
    assert _groups(html) == ["Quality", "Reports", "Manage", "Account"]
    row = _row(html)
    for href in ("/insights/funnel", "/insights/managers", "/application-checks/programmes",
                 "/pulse/results", "/results", "/programmes", "/rubrics", "/suggestions"):
        assert f'href="{href}"' in row, href
    assert 'href="/admin/people"' not in html
    sign_in_directly(client, org.admin)
    html = client.get("/").get_data(as_text=True)
    assert _groups(html) == ["Quality", "Reports", "Manage", "Account"]
    assert 'href="/admin/people"' in _row(html) and 'href="/admin/outbox"' in _row(html)


def test_learners_managers_and_the_md_see_no_groups_but_their_account(client, org):
    for person in (org.learner, org.line, org.md):
        sign_in_directly(client, person)
        html = client.get("/").get_data(as_text=True)
        assert _groups(html) == ["Account"], person.name
        assert "Sign out" in html.split('<li class="nav-group nav-account">', 1)[1]
    # the managing director's one report is a link of its own, not a group of one
    assert '<li><a href="/results">Results</a></li>' in _row(html)


def test_the_current_page_and_its_group_are_marked_in_the_row_and_the_menu(client, org):
    sign_in_directly(client, org.ld)
    html = client.get("/insights/managers").get_data(as_text=True)
    row, menu = _row(html), html.split('<details class="nav-menu">', 1)[1]
    assert re.search(r'<summary aria-current="true">Reports', row)
    assert row.count("aria-current") == 2
    assert '<a href="/insights/managers" aria-current="page">' in row
    assert re.search(r'id="nav-menu-reports" aria-current="true">Reports</span>\s*'
                     r'<ul aria-labelledby="nav-menu-reports">', menu)
    assert '<a href="/insights/managers" aria-current="page">' in menu
