"""Settings: the secret key rules, typed parsing, and README.md documenting every setting."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from clearance import settings
from clearance.app import MIN_SECRET_LENGTH, create_app
from clearance.extensions import db

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture()
def clean_env(monkeypatch):
    for setting in settings.SETTINGS:
        monkeypatch.delenv(setting.env_var, raising=False)


def _config(tmp_path: Path, **extra):
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'settings.db'}",
            "INSTANCE_PATH": str(tmp_path / "instance"), "JOBS_BACKEND": "immediate", **extra}


def _dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("key", [None, "", "short", "x" * (MIN_SECRET_LENGTH - 1)])
def test_production_refuses_to_start_without_a_strong_secret_key(tmp_path, clean_env, key):
    with pytest.raises(RuntimeError, match="CLEARANCE_SECRET_KEY"):
        create_app(_config(tmp_path, ENV="production", SECRET_KEY=key))
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_refuses_a_weak_key_from_the_environment(tmp_path, monkeypatch, clean_env):
    monkeypatch.setenv("CLEARANCE_ENV", "production")
    monkeypatch.setenv("CLEARANCE_SECRET_KEY", "changeme")
    with pytest.raises(RuntimeError, match="at least"):
        create_app(_config(tmp_path))


def test_production_starts_with_a_strong_key(tmp_path, clean_env):
    key = "k" * MIN_SECRET_LENGTH
    app = create_app(_config(tmp_path, ENV="production", SECRET_KEY=key))
    try:
        assert app.config["SECRET_KEY"] == key
        assert not app.testing
    finally:
        _dispose(app)


def test_development_generates_and_keeps_a_key(tmp_path, clean_env):
    first = create_app(_config(tmp_path, ENV="development"))
    _dispose(first)
    path = tmp_path / "instance" / "secret_key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = first.config["SECRET_KEY"]
    assert len(key) >= MIN_SECRET_LENGTH
    assert path.read_text().strip() == key
    second = create_app(_config(tmp_path, ENV="development"))
    _dispose(second)
    assert second.config["SECRET_KEY"] == key


def test_development_uses_a_given_key(tmp_path, clean_env):
    app = create_app(_config(tmp_path, ENV="development", SECRET_KEY="given-" + "y" * 40))
    _dispose(app)
    assert app.config["SECRET_KEY"] == "given-" + "y" * 40
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_settings_are_parsed_to_their_types():
    values = settings.load({"CLEARANCE_MAX_UPLOAD_MB": "7", "CLEARANCE_TRUST_PROXY": "yes",
                            "CLEARANCE_SESSION_HOURS": "3"})
    assert values["MAX_UPLOAD_MB"] == 7
    assert values["TRUST_PROXY"] is True
    assert values["SESSION_HOURS"] == 3
    defaults = settings.load({})
    assert defaults == {s.name: s.default for s in settings.SETTINGS}


@pytest.mark.parametrize("var,raw", [("CLEARANCE_MAX_UPLOAD_MB", "lots"),
                                     ("CLEARANCE_TRUST_PROXY", "perhaps")])
def test_bad_values_name_the_variable(var, raw):
    with pytest.raises(RuntimeError, match=var):
        settings.load({var: raw})


def _readme_config_table() -> dict[str, str]:
    text = README.read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`(CLEARANCE_[A-Z0-9_]+)`\s*\|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_setting_is_documented_in_the_readme():
    documented = _readme_config_table()
    needed = {s.env_var for s in settings.SETTINGS} | {"CLEARANCE_INSTANCE_PATH"}
    assert sorted(needed - set(documented)) == [], "add these to README.md's Configuration table"


def test_the_readme_documents_no_setting_that_does_not_exist():
    documented = _readme_config_table()
    known = {s.env_var for s in settings.SETTINGS} | {"CLEARANCE_INSTANCE_PATH"}
    assert sorted(set(documented) - known) == []


def test_readme_defaults_match_the_settings_table():
    documented = _readme_config_table()
    for setting in settings.SETTINGS:
        if setting.default in (None, "") or isinstance(setting.default, bool):
            continue
        default_cell = documented[setting.env_var].split("|")[0]
        shown = f"{setting.default:g}" if isinstance(setting.default, float) else setting.default
        assert str(shown) in default_cell, (setting.env_var, default_cell)
