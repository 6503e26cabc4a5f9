"""Light pages: a participant's first visit is at most 60 KB, and usable in 3 s on slow 3G.

The visit is the real one, in a fresh browser with nothing cached: the start page, the code
typed in, the welcome page, "I'm happy to take part", the role question (skipped), the
receipt code, then the live answer page on a position question. Every response is counted
at its transfer size: Chrome's ``encodedDataLength`` from the DevTools protocol's
``Network.loadingFinished``, which is the compressed body plus the response headers, as
the phone's radio would carry it (HTML, CSS, JavaScript; there are no fonts or images).
The Socket.IO traffic is data, not page weight, and is reported on its own.

Slow 3G is Chrome DevTools' preset of that name (called "3G" in newer DevTools), as
Puppeteer also defines it: 50,000 bytes/s down and up (500 kbit/s x 0.8) and 2,000 ms
latency per request (a 400 ms round trip x 5, because DevTools delays whole requests, not
packets). Throttling is switched on just before the participant presses "Go to the
questions", so the earlier pages (loaded at full speed) only warm the cache, as they would
on the phone.

"Usable" means the first answer is on screen and can be chosen: the first radio button is
visible and enabled. The page is a plain HTML form that can be sent without JavaScript, so
that is the moment a participant can answer. The live connection (Socket.IO) comes later,
after the scripts and a handshake of several more requests at 2 s each; its time is
checked against a looser bound and reported.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

if os.environ.get("CI", "").lower() != "true":  # in CI a missing Playwright is a failure
    pytest.importorskip("playwright")
from playwright.sync_api import Browser, expect  # noqa: E402

from tests.support import ROOT, LiveServer  # noqa: E402
from workshop.library import load_library  # noqa: E402

from .cg_browser import DESKTOP, go_to_step, log_in, open_console  # noqa: E402

pytestmark = pytest.mark.browser

BUDGET = 60 * 1024  # bytes, as transferred
USABLE_WITHIN = 3.0  # seconds on slow 3G, from pressing the link to an answer that can be chosen
LIVE_WITHIN = 15.0  # seconds on slow 3G until the live connection is up (scripts + handshake)
SLOW_3G = {
    "offline": False,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,  # 50,000 bytes/s
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
    "latency": 400 * 5,  # ms
}


@pytest.fixture
def at_position_question(live_server: LiveServer, browser: Browser) -> Iterator[None]:
    """The demo workshop, running, on its first position question."""
    desk = browser.new_context(viewport=DESKTOP)
    fac = desk.new_page()
    log_in(fac, live_server.base_url, live_server.password)
    fac.get_by_role("link", name=re.compile("Riverside Council")).first.click()
    fac.get_by_role("link", name="Demo workshop").click()
    open_console(fac, fac.url + "/console")
    steps = load_library(ROOT / "prompts").default_pack.all_steps()
    go_to_step(fac, next(n for n, s in enumerate(steps) if s.type == "position"))
    yield
    desk.close()


def test_first_visit_is_light_and_usable_on_slow_3g(
    live_server: LiveServer, browser: Browser, at_position_question: None
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    requests: dict[str, dict[str, Any]] = {}
    cdp.on(
        "Network.responseReceived",
        lambda e: requests.setdefault(e["requestId"], {}).update(
            url=e["response"]["url"],
            status=e["response"]["status"],
            cached=e["response"].get("fromDiskCache", False),
            encoding=e["response"]["headers"].get("Content-Encoding")
            or e["response"]["headers"].get("content-encoding"),
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: requests.setdefault(e["requestId"], {}).update(bytes=int(e["encodedDataLength"])),
    )
    # A redirect (after each form) ends no load of its own: count its response here.
    cdp.on(
        "Network.requestWillBeSent",
        lambda e: (
            e.get("redirectResponse")
            and requests.setdefault(e["requestId"] + ":" + str(len(requests)), {}).update(
                url=e["redirectResponse"]["url"],
                status=e["redirectResponse"]["status"],
                cached=False,
                encoding=None,
                bytes=int(e["redirectResponse"].get("encodedDataLength", 0)),
            )
        ),
    )

    page.goto(live_server.base_url + "/")
    page.get_by_label("Workshop code").fill(live_server.join_code)
    page.get_by_role("button", name="Join").click()
    page.get_by_role("button", name="I'm happy to take part").click()
    page.get_by_role("button", name="Skip this question").click()
    expect(page.locator("#receipt-code")).to_be_visible()

    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    first_answer = page.locator(".cg-answer-form input[type=radio]").first
    started = time.monotonic()
    page.get_by_role("link", name="Go to the questions").click()
    expect(first_answer).to_be_visible(timeout=USABLE_WITHIN * 1000 * 4)
    expect(first_answer).to_be_enabled()
    usable = time.monotonic() - started
    paint = page.evaluate("() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime")
    expect(page.locator("#phone")).to_have_attribute("data-live", "yes", timeout=LIVE_WITHIN * 1000 * 2)
    live = time.monotonic() - started
    cdp.send(
        "Network.emulateNetworkConditions", {**SLOW_3G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    )

    # Everything has arrived (the loadingFinished events come in before the socket is up).
    finished = [r for r in requests.values() if "bytes" in r and "url" in r]
    pages = [r for r in finished if not urlsplit(r["url"]).path.startswith("/socket.io/")]
    socket = [r for r in finished if urlsplit(r["url"]).path.startswith("/socket.io/")]
    total = sum(r["bytes"] for r in pages)
    rows = "\n".join(
        f"  {r['bytes']:>6}  {r['status']}  {r.get('encoding') or '-':5}  {urlsplit(r['url']).path}" for r in pages
    )
    print(
        f"\nFirst visit: {total} bytes of {BUDGET} in {len(pages)} responses (+ {sum(r['bytes'] for r in socket)}"
        f" bytes of Socket.IO in {len(socket)})\n{rows}\n"
        f"On slow 3G: usable after {usable:.2f} s (first paint at {paint or 0:.0f} ms), live after {live:.2f} s"
    )

    assert total <= BUDGET, f"the first visit is {total} bytes, over the {BUDGET}-byte budget:\n{rows}"
    # Every page, stylesheet and script was compressed, and the stylesheet was fetched once.
    for r in pages:
        if r["status"] == 200 and r["bytes"] > 1500:
            assert r["encoding"] == "gzip", f"{r['url']} was sent without gzip"
    css = [r for r in pages if urlsplit(r["url"]).path.endswith(".css") and r["bytes"] > 0]
    assert len(css) == 1, f"the stylesheet was downloaded {len(css)} times"
    assert usable < USABLE_WITHIN, f"the answer page took {usable:.2f} s to be usable on slow 3G"
    assert live < LIVE_WITHIN, f"the live connection took {live:.2f} s on slow 3G"
    context.close()
