"""Stored XSS: every payload in every text field is shown only as text, on every screen.

The payloads are in ``tests/data/xss_payloads.txt``. Each is typed through the real forms
into the consultation, a use case, the workshop, its roles and names to hide, and the
participants' comments, conditions and reasons; then every page that shows them is read:
the facilitator's pages, the console, the projector, the phones, the moderation queue, the
record and the public outcome. A page fails if it holds any tag, attribute or URL that only
a payload could have put there. ``test_xss_browser.py`` runs the same payloads in Chromium.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support import Factory
from workshop.extensions import db
from workshop.models import Comment

from .xssworld import FIELDS, PAYLOADS, fill, problems, shown_as_text, visit


def test_there_are_enough_payloads() -> None:
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert all(len(p) <= 200 and "\n" not in p for p in PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{n:02d}" for n in range(len(PAYLOADS))])
def test_payload_is_only_ever_text(app: Flask, factory: Factory, payload: str) -> None:
    w = fill(factory, dict.fromkeys(FIELDS, payload))
    seen = visit(factory, w)
    assert len(seen) >= 30
    for audience, path, html in seen:
        assert problems(html) == [], f"{audience} page {path}"

    # The payloads really were on the pages (so the check above means something).
    by_path = {path: html for _audience, path, html in seen}
    assert shown_as_text(by_path["/f/"], payload.strip())
    assert shown_as_text(by_path[f"/f/c/{w['cid']}"], payload.strip())
    assert shown_as_text(by_path[f"/w/{w['code']}/role"], payload.strip())
    assert shown_as_text(by_path[f"/f/c/{w['cid']}/register"], payload.strip())
    with app.app_context():
        stored = [c.text for c in db.session.scalars(select(Comment).where(Comment.workshop_id == w["wid"]))]
    queue = by_path[w["base"] + "/moderation"]
    assert stored and all(shown_as_text(queue, text) for text in stored)


def test_payloads_in_the_pdf_are_text(app: Flask, factory: Factory, tmp_path: Path) -> None:
    """The PDF record (WeasyPrint) prints payloads as words and carries no script at all."""
    payloads = dict(zip(FIELDS, PAYLOADS[: len(FIELDS)], strict=True))
    w = fill(factory, payloads)
    response = w["facilitator"].get(f"/f/c/{w['cid']}/record/download/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    for marker in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/SubmitForm", b"/URI (javascript"):
        assert marker not in pdf
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    flat = " ".join(text.split())
    assert "window.__xss=1" in flat  # the payload is printed, as text
    assert "1787569" not in flat
