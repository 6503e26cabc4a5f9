"""A whole live workshop in real Chromium: a facilitator's console, four phones and the projector.

One test, in the order a real session runs, because each part needs the state the last one
left (a started workshop, joined phones, answers, revealed results). Every wait is on a
condition with a timeout, never a fixed sleep. Nothing bypasses the Content-Security-Policy:
axe-core is injected over the DevTools protocol (``page.evaluate``), which CSP does not govern.
Screenshots of the phone, console and projector are left in /tmp/cg-*.png for a human to look at.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("CI", "").lower() != "true":  # in CI a missing Playwright is a failure
    pytest.importorskip("playwright")
from playwright.sync_api import BrowserContext, Page, WebSocketRoute, expect  # noqa: E402

from tests.support import ROOT, LiveServer, in_page, wait_until  # noqa: E402

from .cg_browser import SAVED, WAIT  # noqa: E402

pytestmark = pytest.mark.browser

AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS = Path("/tmp")

PHONE_SIZES = [
    {"width": 360, "height": 740},
    {"width": 320, "height": 568},
    {"width": 375, "height": 667},
    {"width": 320, "height": 640},
]
CONSENT, CONDITIONS, OBJECT = "I can live with this", "I can live with this, but only if...", "I object"
UNSURE = "I'm not sure, I need to know more"
PASS = "I'd rather not say"
CONDITION_TEXT = "a social worker always checks the score"


# --- helpers ----------------------------------------------------------------------------


def new_phone(browser: Any, index: int, **options: Any) -> BrowserContext:
    return browser.new_context(viewport=PHONE_SIZES[index], is_mobile=True, has_touch=True, **options)


def watch(page: Page, name: str, errors: list[str], offline: set[str] | None = None) -> Page:
    """Collect script errors and failed requests, so a broken page fails the test.

    The browser's own complaint about a WebSocket cut by going offline is expected for a
    page named in ``offline``.
    """

    def console(msg: Any) -> None:
        if msg.type != "error":
            return
        if offline is not None and name in offline and msg.text.startswith("WebSocket connection to"):
            return
        errors.append(f"{name}: console {msg.type}: {msg.text}")

    page.on("pageerror", lambda exc: errors.append(f"{name}: script error: {exc}"))
    page.on("console", console)
    page.on(
        "response",
        lambda r: (
            errors.append(f"{name}: HTTP {r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return page


def no_horizontal_scroll(page: Page, where: str) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where} scrolls sideways at {widths[1]}px wide (content is {widths[0]}px)"


def responses_for_step(database: Path, position: int) -> int:
    with sqlite3.connect(database) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM response r JOIN workshop_step s ON s.id = r.step_id WHERE s.position = ?",
                (position,),
            ).fetchone()[0]
        )


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core in the page (injected over the DevTools protocol, so CSP does not block it)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("options => window.axe.run(document, options)", options)
    return list(result["violations"])


def describe(name: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core: {len(violations)} WCAG 2.1 AA rule(s) broken on {name}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:6]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
            lines.append(f"      {node['html'][:160]}")
    return "\n".join(lines)


class AckGate:
    """Sits on one phone's WebSocket and can hold back the server's acknowledgements.

    Everything is forwarded both ways; while ``holding``, Socket.IO ack packets from the
    server ("43<id>[...]") are kept until ``release``. The gate also notes when Engine.IO
    has upgraded the connection to this WebSocket (the client sends "5").
    """

    def __init__(self) -> None:
        self.holding = False
        self.held: list[str | bytes] = []
        self.upgraded = False
        self.route: WebSocketRoute | None = None

    def __call__(self, route: WebSocketRoute) -> None:
        server = route.connect_to_server()
        self.route = route

        def from_page(message: str | bytes) -> None:
            if message == "5":
                self.upgraded = True
            server.send(message)

        def from_server(message: str | bytes) -> None:
            if self.holding and isinstance(message, str) and message.startswith("43"):
                self.held.append(message)
                return
            route.send(message)

        route.on_message(from_page)
        server.on_message(from_server)

    def release(self) -> None:
        self.holding = False
        assert self.route is not None
        for message in self.held:
            self.route.send(message)
        self.held.clear()


def join_by_phone(page: Page, join_url: str, role: str | None) -> str:
    """Join, give consent, choose a role (or skip), note the receipt code, go to the questions."""
    page.goto(join_url)
    page.get_by_role("button", name="I'm happy to take part").click()
    expect(page.get_by_role("heading", name="Which of these best describes you?")).to_be_visible()
    if role:
        page.get_by_label(role, exact=True).check()
        page.get_by_role("button", name="Continue").click()
    else:
        page.get_by_role("button", name="Skip this question").click()
    receipt = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", receipt), receipt
    page.get_by_role("link", name="Go to the questions").click()
    return receipt


def phone_status(page: Page) -> Any:
    return page.locator(".cg-answer-form [data-status]")


def stored(page: Page) -> dict[str, str]:
    """What the phone keeps in its own storage for Common Ground."""
    kept: dict[str, str] = page.evaluate("() => Object.assign({}, localStorage)")
    return {key: value for key, value in kept.items() if key.startswith("cg-")}


# --- the test ---------------------------------------------------------------------------


def test_live_workshop(live_server: LiveServer, browser: Any) -> None:
    errors: list[str] = []
    base = live_server.base_url
    accessibility: dict[str, list[dict[str, Any]]] = {}

    # The facilitator logs in, finds the demo workshop, and opens its console.
    console_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    console = watch(console_ctx.new_page(), "console", errors)
    console.goto(base + "/login")
    console.get_by_label("Name").fill("demo")
    console.get_by_label("Password").fill(live_server.password)
    console.get_by_role("button", name="Log in").click()
    console.get_by_role("link", name=re.compile("Riverside Council")).first.click()
    console.get_by_role("link", name="Demo workshop").click()
    expect(console.locator("#join-code")).to_have_text(live_server.join_code)
    join_url = console.locator("#join-url").get_attribute("href") or ""
    projector_url = console.get_by_role("link", name=re.compile("Open the projector screen")).get_attribute("href")
    assert join_url.endswith("/j/" + live_server.join_code) and projector_url
    kinds = [
        (t.strip() if t else "")
        for t in console.locator(".cg-step-list > li").evaluate_all(
            "items => items.map(li => (li.querySelector('.govuk-tag') || {}).textContent || '')"
        )
    ]
    position_step = kinds.index("position")  # the first "Can you live with this?" question
    assert position_step > 1, kinds

    console.get_by_role("link", name="Open the console").click()
    expect(console.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT)
    posts: list[str] = []
    console.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    console.get_by_role("button", name="Start the workshop").click()
    expect(console.locator("#step-state")).to_contain_text("Running", timeout=WAIT)
    expect(console.get_by_role("button", name="Start the workshop")).to_have_count(0)

    # Three phones join (one skips the role question) and wait on the questions page.
    phones: list[Page] = []
    offline: set[str] = set()
    gate = AckGate()
    receipts: list[str] = []
    for index, role in enumerate(["Family member", "Young person", None]):
        context = new_phone(browser, index)
        page = watch(context.new_page(), f"phone {index + 1}", errors, offline)
        if index == 0:
            page.route_web_socket(re.compile(r"/socket\.io/"), gate)
        if index == 0:
            page.goto(join_url)
            accessibility["join (welcome) page"] = axe_violations(page)
            no_horizontal_scroll(page, "the welcome page")
        receipts.append(join_by_phone(page, join_url, role))
        expect(page.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello and welcome")
        page.evaluate("() => { window.cgNoReload = true }")
        phones.append(page)
    expect(console.locator("#joined-count")).to_have_text("3", timeout=WAIT)  # all three, not the first

    # The facilitator moves on with the console's buttons; phones follow without reloading.
    console.get_by_role("button", name="Next step").click()
    expect(console.locator("#step-heading")).to_contain_text(f"Step 2 of {len(kinds)}", timeout=WAIT)
    second = console.locator("#step-heading").inner_text().split(": ", 1)[1]
    for page in phones:
        expect(page.get_by_role("heading", level=1)).to_have_text(second, timeout=WAIT)
    console.locator(f"#ctl-goto-{position_step}").click()
    expect(console.locator("#step-heading")).to_contain_text(f"Step {position_step + 1} of", timeout=WAIT)
    expect(console.locator("#step-state")).to_contain_text("Answering open")
    assert not [u for u in posts if "/control" in u], f"console controls were posted as forms: {posts}"
    for page in phones:
        expect(page.locator(".cg-answer-form")).to_have_attribute("data-step", str(position_step), timeout=WAIT)
        expect(page.get_by_label(CONSENT, exact=True)).to_be_visible()
        assert page.evaluate("() => window.cgNoReload === true"), "a phone reloaded to follow the step"
        # Conditional follow-up questions stay hidden until their answer is chosen.
        expect(page.locator("#cond-conditions")).to_be_hidden()
        expect(page.locator("#cond-object")).to_be_hidden()
        no_horizontal_scroll(page, "the answer page")
    # The heading of a new step gets keyboard focus, so screen readers announce it.
    expect(phones[1].locator("legend h1")).to_be_focused()

    # Phone 1: "Saved" shows only once the server's acknowledgement arrives.
    wait_until(lambda: gate.upgraded, WAIT / 1000, "phone 1's socket is on its WebSocket", pause=in_page(phones[0]))
    gate.holding = True
    phones[0].get_by_label(CONSENT, exact=True).check()
    phones[0].get_by_role("button", name="Send my answer").click()
    wait_until(
        lambda: bool(gate.held), WAIT / 1000, "the server has acknowledged phone 1's answer", pause=in_page(phones[0])
    )
    expect(phone_status(phones[0])).to_have_text("Sending…")
    assert responses_for_step(live_server.database, position_step) == 1
    gate.release()
    expect(phone_status(phones[0])).to_contain_text(SAVED, timeout=WAIT)
    expect(phones[0].get_by_role("button", name="Change my answer")).to_be_visible()

    # Phone 2: "only if..." reveals the condition boxes; the condition is typed in.
    phones[1].get_by_label(CONDITIONS, exact=True).check()
    expect(phones[1].locator("#cond-conditions")).to_be_visible()
    expect(phones[1].locator("#cond-object")).to_be_hidden()
    phones[1].get_by_label("Only if...", exact=True).fill(CONDITION_TEXT)
    # A change that phones do not show (a timer on the big screen) must not wipe what is typed.
    version = int(phones[1].locator("#step").get_attribute("data-v") or 0)
    console.get_by_role("button", name="Timer: 2 minutes").click()
    expect(console.locator("#timer")).to_be_visible(timeout=WAIT)
    expect(phones[1].locator("#step")).not_to_have_attribute("data-v", str(version), timeout=WAIT)
    expect(phones[1].get_by_label("Only if...", exact=True)).to_have_value(CONDITION_TEXT)
    expect(phones[1].get_by_label(CONDITIONS, exact=True)).to_be_checked()
    accessibility["answer page (position form)"] = axe_violations(phones[1])
    phones[1].screenshot(path=str(SHOTS / "cg-phone-answer.png"), full_page=True)
    phones[1].get_by_role("button", name="Send my answer").click()
    expect(phone_status(phones[1])).to_contain_text(SAVED, timeout=WAIT)
    # Once the server has the words, the phone keeps only the choice (to show it again).
    kept = " ".join(stored(phones[1]).values())
    assert CONDITION_TEXT not in kept and '"position":"conditions"' in kept, kept

    # Phone 3 objects while offline: the answer waits on the phone and goes when it is back.
    offline.add("phone 3")
    phones[2].context.set_offline(True)
    expect(phones[2].locator("#connection")).to_contain_text("offline", timeout=WAIT)
    phones[2].get_by_label(OBJECT, exact=True).check()
    expect(phones[2].locator("#cond-object")).to_be_visible()
    phones[2].get_by_role("button", name="Send my answer").click()
    expect(phone_status(phones[2])).to_contain_text("You are offline", timeout=WAIT)
    assert responses_for_step(live_server.database, position_step) == 2
    phones[2].screenshot(path=str(SHOTS / "cg-phone-offline.png"), full_page=True)
    phones[2].context.set_offline(False)
    expect(phone_status(phones[2])).to_contain_text(SAVED, timeout=WAIT)
    assert responses_for_step(live_server.database, position_step) == 3
    expect(console.locator("#answered-count")).to_have_text("3", timeout=WAIT)

    # The facilitator reveals, but only 3 of the 5 people needed (k) have answered: the
    # projector says so and shows no counts, no chart and no table.
    projector_ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    projector = watch(projector_ctx.new_page(), "projector", errors)
    projector.goto(projector_url)
    expect(projector.locator("#projector-answered-count")).to_have_text("Fewer than 5", timeout=WAIT)
    expect(projector.locator("#projector-results")).to_have_count(0)
    console.get_by_role("button", name="Show results on the big screen").click()
    expect(console.locator("#step-state")).to_contain_text("Results shown", timeout=WAIT)
    expect(projector.locator("#projector-waiting")).to_have_text(
        "Results show once 5 people have answered.", timeout=WAIT
    )
    expect(projector.locator("#projector-results")).to_have_count(0)
    expect(console.locator("#answered-under-k")).to_be_visible()

    # A fourth and a fifth phone without JavaScript join and answer with plain forms.
    for index, (role, label) in enumerate([("Other", UNSURE), (None, PASS)]):
        plain_ctx = new_phone(browser, 3, java_script_enabled=False)
        plain = watch(plain_ctx.new_page(), f"phone {4 + index} without JavaScript", errors)
        join_by_phone(plain, join_url, role)
        expect(plain.locator(".cg-answer-form")).to_have_attribute("data-step", str(position_step))
        expect(plain.locator("#cond-conditions")).to_be_visible()  # nothing is hidden without a script
        plain.get_by_label(label, exact=True).check()
        plain.get_by_role("button", name="Send my answer").click()
        expect(plain.locator("#status")).to_contain_text(SAVED)
        expect(plain.get_by_label(label, exact=True)).to_be_checked()
        assert responses_for_step(live_server.database, position_step) == 4 + index
        if index == 0:
            no_horizontal_scroll(plain, "the answer page without JavaScript")
            expect(projector.locator("#projector-answered-count")).to_have_text("Fewer than 5")
    # The projector, already revealed, shows the results by itself once 5 have answered: one of each.
    expect(projector.locator("#projector-answered-count")).to_have_text("5", timeout=WAIT)
    for key in ("consent", "conditions", "object", "unsure", "pass"):
        expect(projector.locator(f"#projector-results td[data-key={key}]")).to_have_text("1", timeout=WAIT)
    # The chart people look at says the same (its description is what screen readers hear).
    expect(projector.locator("#projector-results svg desc")).to_contain_text(
        f"{CONSENT}: 1; {CONDITIONS}: 1; {OBJECT}: 1; {UNSURE}: 1; {PASS}: 1"
    )
    expect(console.locator("#answered-under-k")).to_have_count(0, timeout=WAIT)
    projector.screenshot(path=str(SHOTS / "cg-projector.png"), full_page=True)
    console.screenshot(path=str(SHOTS / "cg-console.png"), full_page=True)
    accessibility["projector"] = axe_violations(projector)
    accessibility["console"] = axe_violations(console)

    # A phone that reloads gets its saved answer back, with its follow-up question open.
    phones[1].reload()
    expect(phones[1].locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
    expect(phones[1].get_by_label(CONDITIONS, exact=True)).to_be_checked()
    expect(phones[1].locator("#cond-conditions")).to_be_visible()
    expect(phones[1].locator("#cond-object")).to_be_hidden()
    expect(phones[1].get_by_label("Only if...", exact=True)).to_have_value(CONDITION_TEXT)
    expect(phones[1].get_by_role("button", name="Change my answer")).to_be_visible()

    # Phone 3 takes its answers back: the page after that forgets all the phone kept for it.
    assert stored(phones[2])
    phones[2].goto(base + "/receipt")
    phones[2].get_by_label("Receipt code").fill(receipts[2])
    phones[2].get_by_role("button", name="Continue").click()
    phones[2].get_by_role("button", name="Take back my answers").click()
    phones[2].get_by_role("button", name="Yes, delete my answers").click()
    expect(phones[2].locator("#copies-note")).to_contain_text("We cannot take your answers out of that copy.")
    wait_until(lambda: not stored(phones[2]), WAIT / 1000, "phone 3 forgot its answers", pause=in_page(phones[2]))
    # The workshop ends: the other phones forget their answers too.
    assert stored(phones[0]) and stored(phones[1])
    console.locator("#end-details-summary").click()
    console.get_by_role("button", name="End the workshop now").click()
    for page in phones[:2]:
        wait_until(
            lambda page=page: not stored(page),
            WAIT / 1000,
            "a phone forgot its answers at the end",
            pause=in_page(page),
        )

    broken = {name: found for name, found in accessibility.items() if found}
    report = "\n\n".join(describe(name, found) for name, found in broken.items())
    print(report or "axe-core: no WCAG 2.1 AA violations on " + ", ".join(accessibility))
    assert not broken, report
    assert not errors, "\n".join(errors)
    for context in (console_ctx, projector_ctx, plain_ctx, *(p.context for p in phones)):
        context.close()
