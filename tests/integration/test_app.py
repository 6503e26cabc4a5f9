"""The app factory, configuration, health check, and meta-tests that keep the README honest."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.support import make_app
from workshop import StartupError, create_app
from workshop.config import ENV_SETTINGS, ROOT, Config, TestConfig
from workshop.extensions import db, socketio
from workshop.realtime import EVENTS

README = (ROOT / "README.md").read_text(encoding="utf-8")

# A value to set for each environment variable, and the setting it must then have.
ENV_VALUES: dict[str, tuple[str, Any]] = {
    "WORKSHOP_DATABASE_URL": ("postgresql+psycopg://u@db.example:5432/cg", "postgresql+psycopg://u@db.example:5432/cg"),
    "WORKSHOP_SECRET_KEY": ("a-secret-from-the-environment", "a-secret-from-the-environment"),
    "WORKSHOP_INSTANCE_DIR": ("/srv/common-ground", "/srv/common-ground"),
    "WORKSHOP_MESSAGE_QUEUE": ("redis://127.0.0.1:6379/3", "redis://127.0.0.1:6379/3"),
    "WORKSHOP_HOST": ("0.0.0.0", "0.0.0.0"),  # noqa: S104 (a value, not a bind)
    "WORKSHOP_PORT": ("8123", 8123),
    "WORKSHOP_SMALL_GROUP_K": ("7", 7),
    "WORKSHOP_RETENTION_DAYS": ("30", 30),
    "WORKSHOP_SESSION_HOURS": ("2", 2),
    "WORKSHOP_PROMPTS_DIR": ("/srv/prompts", "/srv/prompts"),
    "WORKSHOP_PUBLIC_URL": ("http://192.168.1.20:5000", "http://192.168.1.20:5000"),
    "WORKSHOP_SECURE_COOKIES": ("true", True),
    "WORKSHOP_PUSH_INTERVAL": ("0.5", 0.5),
    "WORKSHOP_MESSAGE_QUEUE_CHANNEL": ("riverside-live", "riverside-live"),
    "WORKSHOP_REDIS_POOL_SIZE": ("50", 50),
    "WORKSHOP_JOIN_BURST_LIMIT": ("40", 40),
    "WORKSHOP_STOP_TIMEOUT": ("2.5", 2.5),
    "WORKSHOP_PROXY_HOPS": ("1", 1),
}
# Values that cannot be cast to the setting's type, per typed setting.
BAD_VALUES: dict[str, str] = {
    "WORKSHOP_PORT": "five thousand",
    "WORKSHOP_SMALL_GROUP_K": "5.5",
    "WORKSHOP_RETENTION_DAYS": "a year",
    "WORKSHOP_SESSION_HOURS": "",
    "WORKSHOP_SECURE_COOKIES": "maybe",
    "WORKSHOP_PUSH_INTERVAL": "fast",
    "WORKSHOP_REDIS_POOL_SIZE": "lots",
    "WORKSHOP_JOIN_BURST_LIMIT": "many",
    "WORKSHOP_STOP_TIMEOUT": "soon",
    "WORKSHOP_PROXY_HOPS": "two",
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ENV_SETTINGS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_every_setting_has_a_test_value() -> None:
    assert set(ENV_VALUES) == set(ENV_SETTINGS)


@pytest.mark.parametrize("var", sorted(ENV_SETTINGS))
def test_environment_variable_overrides_its_setting(var: str, clean_env: pytest.MonkeyPatch) -> None:
    key = ENV_SETTINGS[var][0]
    raw, expected = ENV_VALUES[var]
    assert Config.from_env()[key] != expected
    clean_env.setenv(var, raw)
    settings = Config.from_env()
    assert settings[key] == expected
    assert type(settings[key]) is type(expected)
    # Subclasses read the environment too.
    assert TestConfig.from_env()[key] == expected


def test_session_lifetime_follows_session_hours(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("WORKSHOP_SESSION_HOURS", "3")
    assert Config.from_env()["PERMANENT_SESSION_LIFETIME"].total_seconds() == 3 * 3600


@pytest.mark.parametrize("var", sorted(BAD_VALUES))
def test_bad_environment_value_gives_a_clear_error(var: str, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(var, BAD_VALUES[var])
    with pytest.raises(ValueError) as caught:
        Config.from_env()
    message = str(caught.value)
    assert var in message
    assert repr(BAD_VALUES[var]) in message
    assert re.search(r"must be (a whole number|a number|true or false)", message)


def test_bad_environment_value_stops_the_app(clean_env: pytest.MonkeyPatch, database_url: str) -> None:
    clean_env.setenv("WORKSHOP_PORT", "eighty")
    with pytest.raises(ValueError, match="WORKSHOP_PORT must be a whole number"):
        make_app(database_url)


def test_every_typed_setting_has_a_bad_value_test() -> None:
    typed = {var for var, (key, _) in ENV_SETTINGS.items() if isinstance(getattr(Config, key), (bool, int, float))}
    assert typed == set(BAD_VALUES)


def test_create_app_from_a_config_class(database_url: str, clean_env: pytest.MonkeyPatch) -> None:
    class Settings(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SMALL_GROUP_K = 9

    app = create_app(Settings)
    assert isinstance(app, Flask)
    assert app.config["TESTING"] is True
    assert app.config["SMALL_GROUP_K"] == 9
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url


def test_create_app_from_a_mapping(database_url: str, clean_env: pytest.MonkeyPatch) -> None:
    app = create_app({"SECRET_KEY": "from-a-mapping", "SQLALCHEMY_DATABASE_URI": database_url, "SMALL_GROUP_K": 3})
    assert app.config["SECRET_KEY"] == "from-a-mapping"
    assert app.config["SMALL_GROUP_K"] == 3
    # Everything not in the mapping keeps Config's default.
    assert app.config["RETENTION_DAYS"] == Config.RETENTION_DAYS
    assert app.config["TESTING"] is False


def test_mapping_overrides_the_environment(database_url: str, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("WORKSHOP_SMALL_GROUP_K", "8")
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["SMALL_GROUP_K"] == 8
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": database_url, "SMALL_GROUP_K": 4})
    assert app.config["SMALL_GROUP_K"] == 4


def test_no_secret_key_refuses_to_build(clean_env: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    clean_env.setenv("WORKSHOP_INSTANCE_DIR", str(tmp_path))
    for config in (
        Config,
        {"SQLALCHEMY_DATABASE_URI": database_url},
        {"SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": database_url},
    ):
        with pytest.raises(StartupError, match=r"There is no secret key yet\. Run `python run.py` once"):
            create_app(config)


def test_secret_key_kept_in_the_instance_folder_is_read(
    clean_env: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    clean_env.setenv("WORKSHOP_INSTANCE_DIR", str(tmp_path))
    (tmp_path / "secret_key").write_text("k" * 64 + "\n")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["SECRET_KEY"] == "k" * 64
    assert app.instance_path == str(tmp_path.resolve())
    (tmp_path / "secret_key").write_text("short")
    with pytest.raises(StartupError, match="too short"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url})


def test_secret_key_from_the_environment_builds(clean_env: pytest.MonkeyPatch, database_url: str) -> None:
    clean_env.setenv("WORKSHOP_SECRET_KEY", "env-key")
    clean_env.setenv("WORKSHOP_DATABASE_URL", database_url)
    app = create_app()
    assert app.config["SECRET_KEY"] == "env-key"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url


def test_socketio_runs_on_gevent(app: Flask) -> None:
    assert socketio.async_mode == "gevent"
    assert socketio.server.eio.async_mode == "gevent"
    assert app.extensions["socketio"] is socketio


def test_socketio_keeps_same_origin_check(app: Flask) -> None:
    # Never cors_allowed_origins="*": the default (None) means same origin only.
    assert socketio.server.eio.cors_allowed_origins in (None, [])


def test_healthz_ok(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_when_the_tables_are_gone(app: Flask, client: Any) -> None:
    with app.app_context():
        db.drop_all()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
    assert response.get_json()["status"] == "error"


def test_healthz_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'no-such-folder' / 'workshop.sqlite3'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


def test_healthz_recovers_when_the_database_comes_back(app: Flask, client: Any) -> None:
    with app.app_context():
        db.drop_all()
    assert client.get("/healthz").status_code == 503
    with app.app_context():
        db.create_all()
    assert client.get("/healthz").status_code == 200


# --- The README is checked against the code -------------------------------------------------


def _between(start: str, end: str) -> list[list[str]]:
    """Return the body rows of the markdown table between two HTML comment markers."""
    match = re.search(re.escape(start) + r"(.*?)" + re.escape(end), README, re.S)
    assert match, f"README has no {start} ... {end} block"
    rows = [line.strip() for line in match.group(1).strip().splitlines() if line.strip().startswith("|")]
    assert len(rows) > 2, "the table has no rows"
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def _code(cell: str) -> str:
    match = re.fullmatch(r"`([^`]+)`", cell)
    assert match, f"expected a `name` cell, got {cell!r}"
    return match.group(1)


def test_readme_config_table_lists_exactly_the_environment_variables() -> None:
    rows = _between("<!-- config-table:start -->", "<!-- config-table:end -->")
    listed = [_code(row[0]) for row in rows]
    assert len(listed) == len(set(listed)), "a variable is listed twice"
    assert set(listed) == set(ENV_SETTINGS)
    for row in rows:
        assert row[1] == ENV_SETTINGS[_code(row[0])][1], f"description of {row[0]} differs from config.py"


def test_readme_event_table_matches_the_catalogue() -> None:
    rows = _between("<!-- events:start -->", "<!-- events:end -->")
    listed = {_code(row[0]): (row[1], row[2]) for row in rows}
    assert len(listed) == len(rows), "an event is listed twice"
    assert set(listed) == {e.name for e in EVENTS}
    for event in EVENTS:
        assert listed[event.name] == (event.sender, event.receiver), f"sender/receiver of {event.name} differ"


CLIENT_EVENTS = [e.name for e in EVENTS if e.sender != "server"]
SERVER_EVENTS = [e.name for e in EVENTS if e.sender == "server"]


def _decorated_socket_events() -> set[str]:
    tree = ast.parse((ROOT / "workshop" / "web" / "sockets.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                # @socketio.on("x"), or @event("x"): the wrapper that checks and charges an event first.
                direct = (
                    isinstance(deco, ast.Call)
                    and isinstance(deco.func, ast.Attribute)
                    and deco.func.attr == "on"
                    and isinstance(deco.func.value, ast.Name)
                    and deco.func.value.id == "socketio"
                )
                wrapped = isinstance(deco, ast.Call) and isinstance(deco.func, ast.Name) and deco.func.id == "event"
                if (direct or wrapped) and deco.args and isinstance(deco.args[0], ast.Constant):
                    names.add(deco.args[0].value)
    return names


def test_catalogue_has_both_directions() -> None:
    assert CLIENT_EVENTS and SERVER_EVENTS
    assert {e.sender for e in EVENTS if e.name in CLIENT_EVENTS} and all(
        e.receiver.startswith("server") for e in EVENTS if e.name in CLIENT_EVENTS
    )


@pytest.mark.parametrize("name", CLIENT_EVENTS)
def test_every_client_event_has_a_handler_in_sockets_py(name: str) -> None:
    assert name in _decorated_socket_events(), f"no @socketio.on({name!r}) handler in workshop/web/sockets.py"


@pytest.mark.parametrize("name", CLIENT_EVENTS)
def test_every_client_event_is_handled_by_a_built_app(name: str, database_url: str) -> None:
    # Build two apps: the handlers must be on the live server of every app, not only the first.
    make_app(database_url)
    make_app(database_url)
    handlers = socketio.server.handlers.get("/", {})
    assert "connect" in handlers
    assert name in handlers, f"the running Socket.IO server has no handler for {name!r}"


def test_no_handler_for_an_event_missing_from_the_catalogue() -> None:
    assert _decorated_socket_events() - {"connect", "disconnect"} <= set(CLIENT_EVENTS)


@pytest.mark.parametrize("name", SERVER_EVENTS)
def test_every_server_event_is_emitted_somewhere(name: str) -> None:
    pattern = re.compile(r"\bemit\(\s*[\"']" + re.escape(name) + r"[\"']")
    sources = [p for p in (ROOT / "workshop").rglob("*.py") if "migrations" not in p.parts]
    hits = [p for p in sources if pattern.search(p.read_text(encoding="utf-8"))]
    assert hits, f"no emit({name!r}, ...) anywhere in workshop/"
