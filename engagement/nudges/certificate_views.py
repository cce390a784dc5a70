"""Certificate pages: the learner's own, their managers', L&D's, and the shared link."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from clearance.access import AUTHENTICATED, PUBLIC, require, rule
from clearance.extensions import db
from engagement.nudges import queries, sharing, tokens
from engagement.nudges.models import Certificate

_NEW_LINK_KEY = "nudges_new_share_link"


def _certificate(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    require("nudges.view_certificate", certificate, status=404)
    return certificate


@rule(AUTHENTICATED)
def certificates() -> Any:
    page = db.paginate(queries.visible_certificates_stmt(current_user),
                       page=request.args.get("page", 1, type=int), per_page=30,
                       error_out=False)
    return render_template("nudges/certificates.html", page=page)


@rule(AUTHENTICATED)
def certificate(certificate_id: int) -> Any:
    cert = _certificate(certificate_id)
    new_link = None
    if cert.person_id == current_user.id:
        pending = session.get(_NEW_LINK_KEY)
        if pending and pending.get("id") == cert.id:
            # shown once, as the page says: the link leaves the session cookie now
            session.pop(_NEW_LINK_KEY, None)
            if cert.is_shared:
                new_link = pending.get("url")
    return render_template("nudges/certificate.html", certificate=cert,
                           lines=queries.certificate_lines(cert), shared_view=False,
                           owner=cert.person_id == current_user.id, new_link=new_link)


@rule(AUTHENTICATED)
def share(certificate_id: int) -> Any:
    cert = _certificate(certificate_id)
    require("nudges.share_certificate", cert)
    secret = sharing.share(cert)
    session[_NEW_LINK_KEY] = {"id": cert.id,
                              "url": url_for("nudges.shared", token=secret, _external=True)}
    flash("Your share link is ready. Copy it now: it is shown only this once.", "success")
    return redirect(url_for("nudges.certificate", certificate_id=cert.id))


@rule(AUTHENTICATED)
def unshare(certificate_id: int) -> Any:
    cert = _certificate(certificate_id)
    require("nudges.share_certificate", cert)
    session.pop(_NEW_LINK_KEY, None)
    if sharing.unshare(cert):
        flash("The share link no longer works.", "success")
    return redirect(url_for("nudges.certificate", certificate_id=cert.id))


@rule(PUBLIC)
def shared(token: str) -> Any:
    """Anyone with the link sees the certificate (no sign-in), until the learner revokes it."""
    cert = queries.certificate_by_share_hash(tokens.share_hash(token)) \
        if token and len(token) <= 200 else None
    if cert is None:
        abort(404)
    response = render_template("nudges/certificate.html", certificate=cert,
                               lines=queries.certificate_lines(cert), shared_view=True,
                               owner=False, new_link=None)
    return response, 200, {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
