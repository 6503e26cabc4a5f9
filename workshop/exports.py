"""Consent and concern records and their exports (JSON, CSV, PDF, HTML) for a consultation's facilitators."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("exports", __name__, url_prefix="/f")


def register_cli(app: Flask) -> None:
    """Add the export commands to ``flask --app workshop``."""
