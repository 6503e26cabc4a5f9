"""Stored XSS in real Chromium: no payload runs on any screen, and the CSP is never tripped.

Every payload of ``tests/data/xss_payloads.txt`` is typed into a text field (ten fields per
consultation, so every payload is used), then the real server (``run.py`` in a subprocess)
is visited as the facilitator, the projector, the phones and the public. Each payload, if it
ran, would set ``window.__xss`` or open a dialog. The page also records any Content Security
Policy violation: markup that slipped through escaping would trip the CSP even though the
CSP then stopped it, so a violation fails the test too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import PASSWORD, Factory, LiveServer, make_app, run_server
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, need_chromium
from workshop.config import TestConfig
from workshop.extensions import db

from .xssworld import FIELDS, PAYLOADS, fill

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TRAP = """
window.__xss = 0;
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""
SETTLE = "() => new Promise(function (done) { requestAnimationFrame(function () { requestAnimationFrame(done) }) })"


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Factory, list[dict[str, Any]], str]]:
    """A migrated SQLite file holding every payload, and the factory that filled it."""
    need_chromium()
    url = f"sqlite:///{tmp_path / 'xss.sqlite3'}"
    app = make_app(url)
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    factory = Factory(app)
    rounds = []
    for start in range(0, len(PAYLOADS), len(FIELDS)):
        chunk = (PAYLOADS[start:] + PAYLOADS)[: len(FIELDS)]
        payloads = dict(zip(FIELDS, chunk, strict=True))
        rounds.append({**fill(factory, payloads), "payloads": payloads})
    yield factory, rounds, url
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def server(seeded: tuple[Factory, list[dict[str, Any]], str], tmp_path: Path) -> Iterator[LiveServer]:
    # The test app's secret key, so the session cookies of the factory's clients work in Chromium.
    with run_server(tmp_path, database_url=seeded[2], secret_key=str(TestConfig.SECRET_KEY)) as live:
        yield live


def test_no_payload_runs_in_chromium(seeded: tuple[Factory, list[dict[str, Any]], str], server: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    factory, rounds, _url = seeded
    base = server.base
    incidents: list[str] = []
    visited = 0

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def context(cookie: str | None = None) -> Any:
            ctx = browser.new_context()
            ctx.add_init_script(TRAP)
            if cookie is not None:
                ctx.add_cookies([{"name": "cg_session", "value": cookie, "url": base}])
            return ctx

        def look(page: Any, path: str, who: str) -> None:
            nonlocal visited
            page.goto(base + path, wait_until="load")
            page.evaluate(SETTLE)
            # Focus and toggle everything a payload might have hooked (autofocus, ontoggle, onblur...).
            page.evaluate("() => { for (const d of document.querySelectorAll('details')) d.open = true }")
            page.keyboard.press("Tab")
            page.evaluate(SETTLE)
            if page.url != base + path:
                incidents.append(f"{who} {path} went to {page.url} instead: the page was not seen")
            ran = page.evaluate("() => window.__xss")
            csp = page.evaluate("() => window.__csp")
            if ran:
                incidents.append(f"a payload ran on {who} {path}")
            if csp:
                incidents.append(f"CSP violation on {who} {path}: {csp}")
            visited += 1

        # The trap works: a payload that is allowed to run (no CSP, raw markup) is caught.
        control = context()
        check = control.new_page()
        check.set_content("<p>control</p><img src=x onerror=window.__xss=1>")
        check.wait_for_function("() => window.__xss === 1")
        control.close()

        facilitator = context()
        fpage = facilitator.new_page()
        fpage.on("dialog", lambda d: (incidents.append(f"dialog on facilitator page: {d.message}"), d.dismiss()))
        fpage.goto(base + "/login")
        fpage.fill("#name", "alex")
        fpage.fill("#password", PASSWORD)
        fpage.click("button[type=submit]")
        fpage.wait_for_url(re.compile(r".*/f/$"))
        look(fpage, "/f/", "facilitator")

        body = " ".join(fpage.inner_text("body").split())
        for w in rounds:  # the titles are on the page, as words
            assert " ".join(w["payloads"]["consultation"].split()) in body

        for w in rounds:
            phones = [context(p.get_cookie("cg_session").value) for p in w["phones"]]
            ppages = [ctx.new_page() for ctx in phones]
            public = context()
            projector = public.new_page()
            for page in (*ppages, projector):
                page.on("dialog", lambda d: (incidents.append(f"dialog: {d.message}"), d.dismiss()))
            for path in (
                f"/f/c/{w['cid']}",
                w["base"],
                w["base"] + "/moderation",
                f"/f/c/{w['cid']}/record/report",
                f"/f/c/{w['cid']}/register",
                f"/f/c/{w['cid']}/use-cases/{w['live'].use_case_id}/edit",
            ):
                look(fpage, path, "facilitator")
            look(projector, f"/o/{w['public']}", "public")
            look(projector, f"/j/{w['code']}", "public")
            look(ppages[0], f"/w/{w['code']}/role", "phone")
            for kind, prompt_type in (("card", None), ("prompt", "position"), ("prompt", "text")):
                factory.goto(w["live"], kind=kind, prompt_type=prompt_type)
                factory.control(w["live"], "reveal")
                look(fpage, w["base"] + "/console", "console")
                look(projector, f"/p/{w['token']}", "projector")
                look(ppages[0], f"/w/{w['code']}", "phone")
                look(ppages[1], f"/w/{w['code']}", "phone")
                look(ppages[2], f"/w/{w['code']}/comments", "phone")
            for ctx in (*phones, public):
                ctx.close()
        browser.close()

    assert visited >= len(rounds) * 22
    assert incidents == []
    log = server.log(lines=100_000)
    assert "Traceback" not in log, log[-3000:]
    assert not re.search(r"127\.0\.0\.1 - - \[", log), "the server wrote an access log with client addresses"
