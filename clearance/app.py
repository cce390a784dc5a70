"""The application factory and the request lifecycle (one commit per request, in one place)."""

from __future__ import annotations

import importlib
import logging
import secrets
import uuid
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from clearance import access, audit, settings
from clearance.database import commit, configure_engine, rollback, set_write_intent
from clearance.extensions import csrf, db, limiter, login_manager, migrate
from clearance.jobs import huey, instance_path

ROOT = Path(__file__).resolve().parent.parent

# Domain blueprints, registered by name: the shell imports no domain module directly.
BLUEPRINTS: tuple[str, ...] = (
    "clearance.auth:bp",
    "clearance.home:bp",
    "clearance.notifications:bp",
    "clearance.admin:bp",
    "people.blueprint:bp",
    "rubrics.blueprint:bp",
    "checkpoints.blueprint:bp",
    "portfolios.blueprint:bp",
    "approvals.blueprint:bp",
    "approvals.one_to_ones.blueprint:bp",
    "approvals.spot_checks.blueprint:bp",
    "portfolios.records.blueprint:bp",
    "engagement.suggestions.blueprint:bp",
    "engagement.nudges.blueprint:bp",
    "engagement.insights.blueprint:bp",
    "engagement.application.blueprint:bp",
    "engagement.pulse.blueprint:bp",
    "engagement.results.blueprint:bp",
)
CLI_GROUPS: tuple[str, ...] = (
    "clearance.cli:audit_cli",
    "clearance.cli:jobs_cli",
    "clearance.cli:demo_cli",
    "people.cli:people_cli",
    "approvals.cli:approvals_cli",
    "approvals.spot_checks.cli:spot_checks_cli",
    "portfolios.records.cli:records_cli",
    "engagement.application.cli:application_checks_cli",
    "engagement.nudges.cli:nudges_cli",
)
# Modules whose import registers models and policies.
DOMAIN_MODULES: tuple[str, ...] = (
    "people.models",
    "people.delegation",
    "people.policy",
    "people.tasks",
    "clearance.admin",
    "rubrics.models",
    "rubrics.policy",
    "checkpoints.models",
    "checkpoints.policy",
    "portfolios.models",
    "portfolios.policy",
    "approvals.models",
    "approvals.policy",
    "approvals.handlers",
    "approvals.tasks",
    "approvals.one_to_ones.models",
    "approvals.one_to_ones.policy",
    "approvals.one_to_ones.handlers",
    "approvals.one_to_ones.tasks",
    "approvals.spot_checks.models",
    "approvals.spot_checks.policy",
    "approvals.spot_checks.handlers",
    "portfolios.records.models",
    "portfolios.records.policy",
    "portfolios.records.tasks",
    "engagement.models",
    "engagement.events",
    "engagement.suggestions.models",
    "engagement.suggestions.policy",
    "engagement.suggestions.hooks",
    "engagement.insights.models",
    "engagement.insights.policy",
    "engagement.insights.demo",
    "engagement.nudges.models",
    "engagement.nudges.policy",
    "engagement.nudges.handlers",
    "engagement.nudges.tasks",
    "engagement.nudges.demo",
    "engagement.application.models",
    "engagement.application.policy",
    "engagement.application.handlers",
    "engagement.application.tasks",
    "engagement.pulse.models",
    "engagement.pulse.policy",
    "engagement.pulse.handlers",
    "engagement.results.models",
    "engagement.results.policy",
)

MIN_SECRET_LENGTH = 32


def _load(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def _secret_key(conf: dict[str, Any], inst: Path) -> str:
    key = conf.get("SECRET_KEY")
    if conf["ENV"] == "production":
        if not key or len(key) < MIN_SECRET_LENGTH:
            raise RuntimeError(
                "CLEARANCE_SECRET_KEY must be set to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters in production"
            )
        return key
    if key:
        return key
    path = inst / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings read from the environment."""
    conf = settings.load()
    if config:
        conf.update(config)
    inst = Path(conf.get("INSTANCE_PATH") or instance_path())
    inst.mkdir(parents=True, exist_ok=True)

    app = Flask(
        "clearance",
        root_path=str(ROOT / "clearance"),
        instance_path=str(inst),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "clearance" / "static"),
    )
    app.config.update(conf)
    app.config["TESTING"] = conf["ENV"] == "testing"
    app.config["SECRET_KEY"] = _secret_key(conf, inst)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        conf.get("DATABASE_URL") or f"sqlite:///{inst / 'clearance.db'}"
    )
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    # The request limit always leaves room for the largest evidence file plus its form.
    upload_mb = max(int(conf["MAX_UPLOAD_MB"]), int(conf["MAX_EVIDENCE_MB"]) + 1)
    app.config["MAX_CONTENT_LENGTH"] = upload_mb * 1024 * 1024
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(conf["SESSION_HOURS"]))
    production = conf["ENV"] == "production"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_NAME="clearance_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=production,
        WTF_CSRF_TIME_LIMIT=None if conf["ENV"] == "testing" else 3600 * 8,
        RATELIMIT_STORAGE_URI=conf["RATELIMIT_STORAGE_URL"]
        or (conf["REDIS_URL"] if conf["REDIS_URL"] else "memory://"),
        RATELIMIT_HEADERS_ENABLED=False,
    )
    logging.basicConfig(level=getattr(logging, str(conf["LOG_LEVEL"]).upper(), logging.INFO))
    if conf["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    if app.config["TESTING"] or conf["JOBS_BACKEND"] == "immediate":
        huey.immediate = True

    for module in DOMAIN_MODULES:
        importlib.import_module(module)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        configure_engine(db.engine, int(conf["SQLITE_BUSY_TIMEOUT_MS"]))

    from clearance import auth, errors, security, templating

    auth.init_login(app)
    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    _install_lifecycle(app)

    for ref in BLUEPRINTS:
        app.register_blueprint(_load(ref))
    for ref in CLI_GROUPS:
        app.cli.add_command(_load(ref))
    return app


def _install_lifecycle(app: Flask) -> None:
    def assign_request_id() -> None:
        g.request_id = uuid.uuid4().hex[:12]

    # First of all before_request hooks, so that refusals by earlier hooks (CSRF, body size)
    # also carry a correlation id on their error page and in X-Request-ID.
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)

    @app.before_request
    def begin_unit_of_work() -> Any:
        g.write_token = set_write_intent(request.method not in ("GET", "HEAD", "OPTIONS"))
        return access.enforce_declared_rule()

    @app.after_request
    def finish_unit_of_work(response: Any) -> Any:
        if response.status_code < 400:
            commit()
        else:
            rollback()
            audit.flush_after_rollback_events()
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.teardown_request
    def reset_intent(_exc: BaseException | None) -> None:
        token = g.pop("write_token", None)
        if token is not None:
            try:
                from clearance.database import _write_intent

                _write_intent.reset(token)
            except ValueError:
                pass
