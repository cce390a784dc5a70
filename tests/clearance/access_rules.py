from tests.access import OK, REDIRECT, Rule, everyone, only

RULES = [
    Rule("main.home", lambda o, x: "/", everyone(OK)),
    Rule("auth.login", lambda o, x: "/sign-in", everyone(REDIRECT, anonymous=OK)),
    Rule("auth.login", lambda o, x: "/sign-in", everyone(REDIRECT, anonymous=OK), method="POST",
         data=lambda o, x: {"email": "nobody@example.org", "password": "wrong password"},
         note="(wrong password: form shown again; signed-in people are sent home)"),
    Rule("auth.logout", lambda o, x: "/sign-out", everyone(REDIRECT), method="POST"),
    Rule("auth.set_password", lambda o, x: "/set-password/not-a-real-token",
         everyone(404, anonymous=404), note="(unknown token)"),
    Rule("auth.set_password", lambda o, x: "/set-password/not-a-real-token",
         everyone(404, anonymous=404), method="POST", note="(unknown token)"),
    Rule("admin.outbox", lambda o, x: "/admin/outbox", only(("admin",))),
    Rule("admin.outbox_message", lambda o, x: f"/admin/outbox/{x['message_id']}",
         only(("admin",)), setup=lambda o, make: {"message_id": _message()}),
]


def _message() -> int:
    from clearance.database import utcnow
    from clearance.extensions import db
    from clearance.mail import OutboxMessage

    msg = OutboxMessage(created_at=utcnow(), to_address="a@example.org", subject="Hello",
                        body_text="Body", status="kept", attempts=1)
    db.session.add(msg)
    db.session.flush()
    return msg.id
