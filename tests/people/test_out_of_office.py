from sqlalchemy import select

from clearance.audit import AuditEvent
from people.delegation import Delegation
from tests.conftest import csrf_token, login


def test_set_and_cancel_out_of_office(client, org, db_session):
    login(client, org.line)
    token = csrf_token(client, "/me/out-of-office")
    response = client.post("/me/out-of-office", data={
        "csrf_token": token, "starts_at": "2031-03-30T09:00", "ends_at": "2031-04-02T17:00",
        "delegate": org.unrelated.email, "note": "Annual leave <b>bold</b>",
    })
    assert response.status_code == 302
    row = db_session.scalar(select(Delegation).where(Delegation.person_id == org.line.id))
    assert row.delegate_id == org.unrelated.id
    # Europe/London: 30 March 2031 is after the clocks change (BST, UTC+1)
    assert row.starts_at.replace(tzinfo=None).isoformat() == "2031-03-30T08:00:00"
    page = client.get("/me/out-of-office").get_data(as_text=True)
    assert "Una Related" in page and "Upcoming" in page

    token = csrf_token(client, "/me/out-of-office")
    assert client.post(f"/me/out-of-office/{row.id}/cancel",
                       data={"csrf_token": token}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Delegation, row.id).cancelled_at is not None
    actions = set(db_session.scalars(select(AuditEvent.action)))
    assert {"delegation.created", "delegation.cancelled"} <= actions


def test_errors_keep_input_and_name_the_field(client, org):
    login(client, org.line)
    token = csrf_token(client, "/me/out-of-office")
    page = client.post("/me/out-of-office", data={
        "csrf_token": token, "starts_at": "2031-03-30T09:00", "ends_at": "2031-03-30T10:00",
        "delegate": "nobody@example.org", "note": "keep me",
    }).get_data(as_text=True)
    assert "No one has the e-mail address or employee id nobody@example.org" in page
    assert 'href="#delegate"' in page
    assert "keep me" in page and 'value="2031-03-30T09:00"' in page


def test_cannot_delegate_to_self(client, org):
    login(client, org.line)
    token = csrf_token(client, "/me/out-of-office")
    page = client.post("/me/out-of-office", data={
        "csrf_token": token, "starts_at": "2031-03-30T09:00", "ends_at": "2031-03-30T10:00",
        "delegate": org.line.email,
    }).get_data(as_text=True)
    assert "Choose someone other than yourself." in page
