from tests.access import FORBIDDEN, NOT_FOUND, OK, REDIRECT, ROLES, Rule, everyone

PUBLIC_OK = dict.fromkeys(ROLES, OK)
VIEWERS = {"learner", "line_manager", "skip_manager", "ld", "admin"}


def _certificate(share=False):
    def setup(o, make):
        from engagement.nudges import sharing
        from tests.nudges.helpers import certificate_for

        cert = certificate_for(o.learner)
        return {"certificate": cert, "secret": sharing.share(cert) if share else None}
    return setup


def _token(o, make):
    from engagement.nudges.tokens import unsubscribe_token

    return {"token": unsubscribe_token(o.learner.id, "due_soon")}


def _viewers(status):
    table = everyone(NOT_FOUND)
    table.update(dict.fromkeys(VIEWERS, status))
    return table


def _owner_only(status):
    table = _viewers(FORBIDDEN)  # managers and L&D see it but only the learner shares it
    table["learner"] = status
    return table


def _prefs(o, x):
    return {"quiet_mode": "default", "due_soon_in_app": "y", "due_soon_email": "y"}


RULES = [
    Rule("nudges.preferences", lambda o, x: "/me/nudges", everyone(OK)),
    Rule("nudges.preferences", lambda o, x: "/me/nudges", everyone(REDIRECT), method="POST",
         data=_prefs),
    Rule("nudges.unsubscribe", lambda o, x: f"/nudges/unsubscribe/{x['token']}", PUBLIC_OK,
         setup=_token, note="(the signed token is the authority; GET changes nothing)"),
    Rule("nudges.unsubscribe_post", lambda o, x: f"/nudges/unsubscribe/{x['token']}",
         PUBLIC_OK, method="POST", setup=_token),
    Rule("nudges.certificates", lambda o, x: "/certificates", everyone(OK)),
    Rule("nudges.certificate", lambda o, x: f"/certificates/{x['certificate'].id}",
         _viewers(OK), setup=_certificate(), note="(the learner, managers above, L&D, admin)"),
    Rule("nudges.share", lambda o, x: f"/certificates/{x['certificate'].id}/share",
         _owner_only(REDIRECT), method="POST", setup=_certificate()),
    Rule("nudges.unshare", lambda o, x: f"/certificates/{x['certificate'].id}/unshare",
         _owner_only(REDIRECT), method="POST", setup=_certificate(share=True)),
    Rule("nudges.shared", lambda o, x: f"/certificates/shared/{x['secret']}", PUBLIC_OK,
         setup=_certificate(share=True), note="(anyone holding the share link)"),
]
