"""Sharing a certificate by link, and stopping it (flush, never commit; audited)."""

from __future__ import annotations

from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from engagement.nudges import tokens
from engagement.nudges.models import Certificate


def share(certificate: Certificate) -> str:
    """A new share link secret for ``certificate``; any earlier link stops working. Only its
    hash is stored, so the secret is shown to the learner once."""
    if not certificate.is_valid:
        raise ValueError("a withdrawn certificate cannot be shared")
    secret = tokens.new_share_secret()
    replaced = certificate.share_token_hash is not None
    certificate.share_token_hash = tokens.share_hash(secret)
    certificate.shared_at = utcnow()
    db.session.flush()
    audit.record("certificate.shared", obj=certificate, after={"replaced": replaced})
    return secret


def unshare(certificate: Certificate) -> bool:
    if certificate.share_token_hash is None:
        return False
    certificate.share_token_hash, certificate.shared_at = None, None
    db.session.flush()
    audit.record("certificate.unshared", obj=certificate)
    return True
