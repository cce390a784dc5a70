"""Settings from the environment: one table of defaults, typed parsing.

Every setting is read from an environment variable ``CLEARANCE_<NAME>``; ``create_app(config)``
may override any of them (tests do). README.md lists the same table; a test keeps them in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {raw!r}")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str

    @property
    def env_var(self) -> str:
        return f"CLEARANCE_{self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting("ENV", "development", str, "development, production or testing"),
    Setting("SECRET_KEY", None, str,
            "Signs sessions and tokens. Required (>= 32 chars) in production; in development "
            "one is generated and kept in the instance folder"),
    Setting("DATABASE_URL", None, str,
            "SQLAlchemy URL; default a SQLite file instance/clearance.db"),
    Setting("REDIS_URL", "", str,
            "Redis for the job queue and rate limits in production (empty: not used)"),
    Setting("JOBS_BACKEND", "sqlite", str,
            "sqlite (own file instance/jobs.db), redis (needs REDIS_URL) or immediate"),
    Setting("RATELIMIT_STORAGE_URL", "", str,
            "Flask-Limiter storage; empty means REDIS_URL when set, else memory://"),
    Setting("LOGIN_RATE_LIMIT", "10 per minute;50 per hour", str,
            "Sign-in attempts allowed per client address and per e-mail address"),
    Setting("SMTP_URL", "", str,
            "smtp://user:pass@host:port (smtps:// TLS, smtp+starttls://); "
            "empty: mail is kept in the outbox only"),
    Setting("MAIL_FROM", "Clearance <clearance@localhost>", str, "From address of e-mails"),
    Setting("ORGANISATION_NAME", "", str,
            "The organisation's name, on certificates (empty: the certificate names Clearance)"),
    Setting("BASE_URL", "http://127.0.0.1:5000", str,
            "Public address, used in e-mailed links"),
    Setting("MAX_UPLOAD_MB", 25, int, "Largest request body (uploads), in megabytes"),
    Setting("MAX_EVIDENCE_MB", 25, int,
            "Largest evidence file, in megabytes (the request limit is raised to fit it)"),
    Setting("INVITE_TTL_HOURS", 72, int, "How long an invitation or reset link stays valid"),
    Setting("SESSION_HOURS", 12, int, "Sign-in session lifetime"),
    Setting("SQLITE_BUSY_TIMEOUT_MS", 15000, int, "SQLite busy timeout for concurrent writers"),
    Setting("PASSWORD_MIN_LENGTH", 12, int, "Shortest password accepted"),
    Setting("TRUST_PROXY", False, _bool,
            "Trust one X-Forwarded-* hop (behind a reverse proxy)"),
    Setting("LOG_LEVEL", "INFO", str, "Python log level"),
    Setting("TOP_APPROVER", "ld", str,
            "Who approves the managing director's work: an e-mail address, or ld for the "
            "most senior L&D person"),
    Setting("ESCALATION_WORKING_DAYS", 10, int,
            "Working days a step may wait before it escalates to the approver's manager"),
    Setting("RUBRIC_MIN_FEEDBACK_CHARS", 40, int,
            "Shortest overall feedback, in characters, that makes an assessment complete"),
    Setting("SPOT_CHECK_RATE", 10, float,
            "Percentage of all decisions L&D spot-checks at random (programmes may set their own)"),
    Setting("SPOT_CHECK_NEW_APPROVER_AGREED", 5, int,
            "Every decision of a new approver is spot-checked until this many checks agreed"),
    Setting("SPOT_CHECK_QUICK_MINUTES", 2, float,
            "Risk signal: decided less than this many minutes after the review page was opened"),
    Setting("SPOT_CHECK_SHORT_FEEDBACK_CHARS", 80, int,
            "Risk signal: overall feedback shorter than this many characters"),
    Setting("SPOT_CHECK_ADAPTIVE_RATE", 50, float,
            "Percentage sampled for an approver whose recent agreement with L&D is low"),
    Setting("SPOT_CHECK_ADAPTIVE_BELOW", 80, float,
            "Agreement percentage (over the last SPOT_CHECK_ADAPTIVE_WINDOW checks) below "
            "which the adaptive rate applies"),
    Setting("SPOT_CHECK_ADAPTIVE_WINDOW", 20, int,
            "How many of an approver's latest checks the agreement is measured over"),
    Setting("SPOT_CHECK_SEED", "", str,
            "Secret seed of the sampling draw (empty: derived from SECRET_KEY); changing it "
            "changes which decisions the random rate picks"),
    Setting("RECORDS_RENDER_SECONDS", 120, float,
            "Longest a development record PDF may take to render before it is stopped"),
    Setting("RECORDS_RENDER_MEMORY_MB", 1024, int,
            "Memory a development record render may use (in its own process) before it stops"),
    Setting("RECORDS_RENDER_ISOLATED", True, _bool,
            "Render record PDFs in a separate process with the time and memory limits"),
    Setting("RECORDS_EXPORT_DAYS", 7, int,
            "Days a bulk export ZIP of development records stays available for download"),
    Setting("RECORDS_VERIFY_RATE_LIMIT", "30 per minute", str,
            "Record verification attempts per client address"),
    Setting("MANAGER_ENGAGEMENT_TARGET", 22.5, float,
            "Target share (percent) of managers with elective learning activity in a year"),
    Setting("WIDGET_FRAME_ANCESTORS", "'self'", str,
            "Origins allowed to frame the suggested-learning widget (space-separated, e.g. "
            "https://intranet.example); 'self' is always allowed"),
    Setting("NUDGE_DUE_SOON_DAYS", 3, int,
            "Days before a checkpoint's due date that the learner is nudged (0: not at all)"),
    Setting("NUDGE_CHANGES_REQUESTED_DAYS", 7, int,
            "Days after changes were asked for, without a resubmission, before the learner "
            "is nudged"),
    Setting("NUDGE_QUIET_START", "20:00", str,
            "Start of the organisation's quiet hours (HH:MM local): no nudges are sent then"),
    Setting("NUDGE_QUIET_END", "08:00", str,
            "End of the organisation's quiet hours (HH:MM local; equal to the start: none)"),
    Setting("NUDGE_DIGEST_DEFAULT_WEEKDAY", "Monday", str,
            "Day of the approver digest for approvers without one-to-one series"),
    Setting("NUDGE_TIMEZONE", "Europe/London", str,
            "Time zone of due dates, quiet hours and digest days for nudges"),
    Setting("NUDGE_MAX_PER_RUN", 5000, int,
            "Most nudges of one kind sent in one run; the rest go in the next hourly run"),
    Setting("APPLICATION_CHECK_DAYS", 60, int,
            "Days after a summative checkpoint's final approval that the line manager is asked "
            "whether the learner applies it on the job (a checkpoint may set its own; 0: none)"),
    Setting("PULSE_MIN_RESPONSES", 5, int,
            "Fewest learner pulse responses a group needs before L&D sees its aggregate"),
)


def load(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read every setting from ``environ`` (default ``os.environ``), parsed to its type."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env_var)
        if raw is None:
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise RuntimeError(f"{setting.env_var}: {exc}") from exc
    return values
