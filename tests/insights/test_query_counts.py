"""The funnel and the KPI cost a fixed number of SQL statements, however much data there is."""

from __future__ import annotations

from engagement.insights.funnel import funnel
from engagement.insights.kpi import manager_engagement
from engagement.models import CATALOGUE_VIEW, PROGRAMME_VIEW, WIDGET_VIEW
from tests.conftest import sign_in_directly
from tests.insights.scenario import MARCH, TODAY, at, build, enrol, look, submit
from tests.queries import counting_statements


def _page(client, path: str) -> int:
    with counting_statements() as count:
        assert client.get(path).status_code == 200
    return count[0]


def _more(s, make_person, n: int) -> None:
    """``n`` more teams: a manager in a new unit with two reports who look, enrol and submit."""
    for i in range(n):
        boss = make_person(f"Extra Manager {i}", manager=s.boss, unit=f"Extra unit {i}")
        for j in range(2):
            person = make_person(f"Extra {i}.{j}", manager=boss, unit=f"Extra unit {i}")
            look(CATALOGUE_VIEW, person, at(f"2026-03-{10 + j:02d}"))
            look(WIDGET_VIEW, person, at(f"2026-03-{10 + j:02d}", "10:00"))
            look(PROGRAMME_VIEW, person, at(f"2026-03-{12 + j:02d}"), s.E1)
            enrol(person, s.E1, "self", at(f"2026-03-{14 + j:02d}"))
            submit(person, s.E1, at(f"2026-03-{20 + j:02d}"), approved=at("2026-03-28"))
        look(PROGRAMME_VIEW, boss, at("2026-02-01"), s.E2)
        enrol(boss, s.M1, "assigned", at("2026-03-02"))


def test_functions_are_one_statement_each(make_person, db_session):
    s = build(make_person)
    db_session.flush()
    with counting_statements() as count:
        funnel(*MARCH)
    assert count[0] == 1
    with counting_statements() as count:
        funnel(*MARCH, source="assigned", audience="managers", unit="Ward 1",
               programme_id=s.M1.id)
    assert count[0] == 1
    with counting_statements() as count:
        manager_engagement(2026, today=TODAY)
    assert count[0] == 1


def test_pages_do_not_grow_with_the_data(client, make_person, db_session):
    s = build(make_person)
    ld = make_person("Elle Dee", roles={"ld"}, unit="L&D")
    db_session.commit()
    sign_in_directly(client, ld)
    pages = ["/insights/funnel?period=custom&from=2026-03-01&to=2026-03-31",
             f"/insights/funnel?period=custom&from=2026-01-01&to=2026-12-31&audience=managers"
             f"&programme={s.E1.id}",
             "/insights/funnel.csv?period=custom&from=2026-03-01&to=2026-03-31",
             "/insights/managers?year=2026", "/insights/managers?year=2026&sort=unit"]
    few = [_page(client, p) for p in pages]
    _more(s, make_person, 6)
    db_session.commit()
    assert funnel(*MARCH).counts()["enrolled"] == 3 + 12  # the data did grow
    many = [_page(client, p) for p in pages]
    assert many == few
