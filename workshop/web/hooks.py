"""Cross-cutting web concerns: security headers, compression, health check, template helpers.

The Content-Security-Policy allows no inline script or style: every script is a file under
/static, so an injected ``<script>`` in any text cannot run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, current_app, jsonify, request, session
from flask_babel import get_locale
from flask_compress import Compress
from sqlalchemy import text

from ..domain import vocabulary as v
from ..domain.glossary import terms_in
from ..domain.packs import CARD_FIELDS
from ..extensions import db
from ..messagequeue import redis_answers
from ..models import Consultation, Workshop
from ..services import records as rs

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

compress = Compress()


def register_web(app: Flask) -> None:
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        ["text/html", "text/css", "application/javascript", "text/javascript", "application/json", "image/svg+xml"],
    )
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip"])
    # Static files are sent as streams; without this Flask-Compress would use zstd at level 3
    # for them, which is bigger than gzip -6 for our CSS and JavaScript.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["gzip"])
    app.config.setdefault("COMPRESS_LEVEL", 6)
    compress.init_app(app)
    versions: dict[tuple[str, float], str] = {}
    app.extensions["cg_static_versions"] = versions

    @app.url_defaults
    def _static_version(endpoint: str, values: dict[str, Any]) -> None:
        """Put a hash of each static file in its URL, so phones can keep it and never ask again."""
        if endpoint != "static" or "filename" not in values or "v" in values or not app.static_folder:
            return
        path = Path(app.static_folder) / values["filename"]
        try:
            key = (values["filename"], path.stat().st_mtime)
        except OSError:
            return
        if key not in versions:
            versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        values["v"] = versions[key]

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        elif request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            # The URL changes whenever the file does (see _static_version): a slow phone loads
            # the stylesheet once, not once a page.
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @app.get("/healthz")
    def healthz() -> Any:
        """Report whether the app, its database and (when configured) its Redis answer."""
        state = {"status": "ok", "database": "ok"}
        queue_url = current_app.config["MESSAGE_QUEUE"]
        if queue_url:
            clients = current_app.extensions.setdefault("cg_health_redis", {})
            state["redis"] = "ok" if redis_answers(queue_url, clients) else "unavailable"
        try:
            db.session.execute(text("SELECT 1"))
            db.session.execute(db.select(Workshop.id).limit(1))
        except Exception as exc:  # report, never crash the probe
            db.session.rollback()
            current_app.logger.warning("health check: database not ready: %s", type(exc).__name__)
            state.update(status="error", database="unavailable")
            return jsonify(state), 503
        if state.get("redis") == "unavailable":
            current_app.logger.warning("health check: Redis message queue not answering")
            state["status"] = "error"
            return jsonify(state), 503
        return jsonify(state)

    card_rows = [(k, label) for k, label in CARD_FIELDS.items() if k not in ("title", "summary")]
    app.jinja_env.globals.update(
        product="Common Ground",
        positions=v.POSITIONS,
        position_hints=v.POSITION_HINTS,
        values=v.VALUES,
        value_hints=v.VALUE_HINTS,
        objection_grounds=v.OBJECTION_GROUNDS,
        conditions_max=v.CONDITIONS_MAX,
        text_max=v.TEXT_MAX,
        card_rows=lambda: card_rows,
        lifecycle=v.LIFECYCLE,
        positions_easy=v.POSITIONS_EASY,
        glossary_for=glossary_for,
        published_outcome_for=published_outcome_for,
        public_status=v.PUBLIC_STATUS,
        public_class=v.PUBLIC_CLASS,
    )

    app.jinja_env.globals.update(tr=translated, tr_options=translated_options)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"session_receipts": session.get("r", {}), "page_lang": locale(), "easy_read": bool(session.get("easy"))}


def locale() -> str:
    """Participant pages follow the participant's choice; facilitator pages stay in English."""
    if request and request.blueprint in ("participant", None) and session.get("lang") in ("en", "cy"):
        return str(session["lang"])
    return "en"


def _language() -> str:
    found = get_locale()
    return found.language if found is not None else "en"


def translated(content: dict[str, Any], name: str) -> Any:
    """A frozen step's wording in the reader's language, falling back to the pack's own."""
    lang = _language()
    if lang != "en":
        value = (content.get("i18n") or {}).get(lang, {}).get(name)
        if value:
            return value
    return content.get(name, "")


def translated_options(content: dict[str, Any]) -> list[dict[str, str]]:
    """A choice step's options with labels in the reader's language."""
    labels = (content.get("i18n") or {}).get(_language(), {}).get("options", {}) if _language() != "en" else {}
    return [{"key": o["key"], "label": labels.get(o["key"], o["label"])} for o in content.get("options", [])]


def glossary_for(card: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The glossary words a card uses, with their meanings, to explain on the card itself."""
    if not card:
        return []
    # Every word the phone shows with the card counts: each field ("A real example" too) and
    # the labels of the rows it fills ("If it is wrong one way: a false alarm").
    shown = [str(x) for x in card.values()] + [CARD_FIELDS[k] for k, x in card.items() if x and k in CARD_FIELDS]
    return terms_in(shown, current_app.extensions["cg_library"].glossary)


def published_outcome_for(consultation: Consultation | None) -> dict[str, Any] | None:
    """What a consultation has published, for the receipt page (None if nothing yet)."""
    if consultation is None:
        return None
    return rs.published_outcome(db.session, consultation)
