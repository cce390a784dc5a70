"""Who may see and share a certificate.

The learner, every manager above them in the org chart, L&D and administrators see it;
anyone else gets a 404 (the page does not exist for them) unless they hold a share link the
learner made. Only the learner shares or stops sharing their own certificate.
"""

from __future__ import annotations

from typing import Any

from clearance.access import policy


@policy("nudges.view_certificate")
def may_view_certificate(user: Any, certificate: Any) -> bool:
    if certificate is None:
        return False
    if certificate.person_id == user.id:
        return True
    if user.has_role("ld") or user.has_role("admin"):
        return True
    return certificate.person is not None and user.is_above(certificate.person)


@policy("nudges.share_certificate")
def may_share_certificate(user: Any, certificate: Any) -> bool:
    return (certificate is not None and certificate.person_id == user.id
            and certificate.is_valid)
