"""Pulse figures count only ended months (engagement.pulse.queries.counted_until); these tests
build answers in chosen months, this one included, so every month counts unless a test says
otherwise with ``pulse_months_ended``."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def pulse_months_ended(monkeypatch):
    from engagement.pulse import queries

    monkeypatch.setattr(queries, "counted_until", lambda: dt.date(2100, 1, 1))
    return monkeypatch
