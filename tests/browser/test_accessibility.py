"""WCAG 2.2 AA on every page and state a participant, a facilitator or the big screen can see.

One walk through a whole workshop, in the order a real session runs, auditing each page and
state as it appears (see cg_browser.py for what each check measures, and
docs/accessibility.md for why these checks and what they cannot tell):

- every page: axe-core (WCAG 2.0, 2.1 and 2.2, A and AA); one h1, landmarks and a name on
  every control, read from the browser's accessibility tree; nothing cut off or scrolling
  sideways at 320 CSS px wide (WCAG 1.4.10) and at 200% browser zoom (1.4.4); no motion on
  interactive elements when the phone asks for reduced motion (2.3.3);
- participant pages also: text at 200% on a 360 px phone (a phone's own large-text setting),
  and every button, stand-alone link and answer option at least 44 x 44 CSS px (2.5.5);
- the live page: live regions for the step and for "Saved", and status messages that say
  what happened in words and with an icon, never by colour alone (1.4.1, 4.1.3).

The test server gets one extra pack (in a copy of prompts/) with a step of every kind,
including a single-choice question, which the shipped packs do not have.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

if os.environ.get("CI", "").lower() != "true":  # in CI a missing Playwright is a failure
    pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, Page, expect  # noqa: E402

from tests.support import ROOT, LiveServer, run_server  # noqa: E402
from tests.support.chromium import need_chromium  # noqa: E402

from .cg_browser import (  # noqa: E402
    DESKTOP,
    PHONE,
    SAVED,
    WAIT,
    ZOOM_200,
    axe_violations,
    describe_axe,
    layout_problems,
    live_regions,
    log_in,
    moving_things,
    ready_to_answer,
    set_text_size,
    small_targets,
    status_messages,
    structure_problems,
    watch,
)

pytestmark = pytest.mark.browser

LARGE_TEXT_PHONE = {"width": 360, "height": 740}
PROJECTOR = {"width": 1366, "height": 768}

EVERY_TYPE = """\
id: every-type
version: 1
title: Every kind of question (for tests)
description: One step of each kind, so a test can see every page a phone can show.
participation_level: consult
opening:
  - id: hello
    kind: info
    title: Hello
    text: This is a short test of every kind of question.
    notes: Test pack.
per_use_case:
  - id: card
    kind: card
    title: The idea we are looking at
    notes: Test pack.
  - id: values
    kind: prompt
    type: values
    title: What matters
    question: Which of these matter most?
    notes: Test pack.
  - id: scale
    kind: prompt
    type: scale
    title: How worried
    question: How worried are you?
    labels: [Not at all, A little, In between, Quite a lot, Very much]
    notes: Test pack.
  - id: one
    kind: prompt
    type: choice
    multiple: false
    title: Pick one
    question: What should the council do first?
    options:
      - {key: ask, label: Ask more families}
      - {key: wait, label: Wait and see}
      - {key: stop, label: Stop now}
    notes: Test pack.
  - id: many
    kind: prompt
    type: choice
    multiple: true
    options_from: lifecycle
    title: Where it could go wrong
    question: At which steps could things go wrong?
    notes: Test pack.
  - id: text
    kind: prompt
    type: text
    tag_values: true
    title: Tell us more
    question: What would make it safer?
    notes: Test pack.
  - id: position
    kind: prompt
    type: position
    title: Can you live with this?
    question: Could you live with this, or do you object?
    notes: Test pack.
closing:
  - id: bye
    kind: info
    title: Thank you
    text: Thank you for taking part.
    notes: Test pack.
"""
STEP_NAMES = ["hello", "card", "values", "scale", "choice (one)", "choice (several)", "text", "position", "bye"]
CONDITIONS = "I can live with this, but only if..."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    need_chromium()
    folder = tmp_path_factory.mktemp("a11y")
    prompts = folder / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    (prompts / "packs" / "every-type.yaml").write_text(EVERY_TYPE, encoding="utf-8")
    with run_server(folder, WORKSHOP_PROMPTS_DIR=str(prompts), WORKSHOP_PUSH_INTERVAL="0.1") as live:
        yield live


class Auditor:
    """Runs every check on a page and keeps what each page and state broke."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def __call__(self, page: Page, name: str, kind: str = "participant") -> None:
        assert name not in self.found, f"audited twice: {name}"
        problems = describe_axe(axe_violations(page))
        marks = ("main",) if kind in ("projector", "paper") else ("banner", "main", "contentinfo")
        problems += structure_problems(page, landmarks=marks)
        problems += [f"moves: {m}" for m in moving_things(page)]
        if kind == "participant":
            problems += [f"too small to press: {t}" for t in small_targets(page)]
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        problems += [f"at 320px: {p}" for p in layout_problems(page)]
        if kind == "participant":
            page.set_viewport_size(LARGE_TEXT_PHONE)
            set_text_size(page, 200)
            problems += [f"text at 200% on a phone: {p}" for p in layout_problems(page)]
            set_text_size(page, 100)
        page.set_viewport_size(ZOOM_200)
        problems += [f"at 200% zoom: {p}" for p in layout_problems(page)]
        page.set_viewport_size(size)
        self.found[name] = problems

    def report(self) -> str:
        broken = {name: found for name, found in self.found.items() if found}
        lines = [f"{len(self.found)} pages and states audited, {len(broken)} with problems."]
        for name, found in broken.items():
            lines.append(f"\n{name}:")
            lines += [f"  - {p}" for p in found]
        return "\n".join(lines)


def phone_context(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, reduced_motion="reduce")


def step_shown(page: Page, position: int) -> None:
    expect(page.locator("#step")).to_have_attribute("data-step", str(position), timeout=WAIT)


def form_status(page: Page) -> Any:
    return page.locator(".cg-answer-form [data-status]")


def said_in_words(page: Page, kind: str) -> dict[str, str]:
    """The visible status message of this kind: it must have words and an icon, not only a colour."""
    found = [s for s in status_messages(page) if f"cg-status--{kind}" in s["kind"]]
    assert found, f"no visible {kind} status message: {status_messages(page)}"
    for message in found:
        assert len(message["text"].split()) >= 2, f"the {kind} status has no words: {message}"
        assert message["icon"] not in ("none", "normal", ""), f"the {kind} status has no icon: {message}"
    return found[0]


def receipt_of(page: Page) -> str:
    return page.locator("#receipt-code").inner_text().strip()


def join(page: Page, join_url: str, audit: Auditor | None = None) -> str:
    page.goto(join_url)
    if audit:
        audit(page, "welcome (join) page")
    page.locator("#consent").click()
    expect(page.locator("input[name=role]").first).to_be_visible()
    if audit:
        audit(page, "role question")
    page.get_by_label("Family member", exact=True).check()
    page.locator("button[type=submit]:not([name])").click()
    receipt = receipt_of(page)
    if audit:
        audit(page, "receipt code")
    page.locator("#to-questions").click()
    expect(page.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
    return receipt


def withdraw(page: Page, base: str, receipt: str, audit: Auditor | None = None) -> None:
    page.goto(base + "/receipt")
    if audit:
        audit(page, "receipt code form")
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#withdraw-ask")).to_be_visible()
    if audit:
        audit(page, "what happened next (with a receipt code)")
    page.locator("#withdraw-ask").click()
    if audit:
        audit(page, "take back my answers: are you sure?")
    page.locator("#withdraw-confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are deleted")
    if audit:
        audit(page, "answers taken back")


def test_every_page_and_state_meets_wcag_22_aa(server: LiveServer, browser: Browser) -> None:
    errors: list[str] = []
    audit = Auditor()
    base = server.base_url
    code_guess = "ZZZZZZ"

    # --- the facilitator sets up a workshop with every kind of question -------------------
    desk = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    # Expected: a wrong password (400) and a page that does not exist (404).
    fac = watch(desk.new_page(), "facilitator", errors, expected=((400, "/login"), (404, "/f/c/999")))
    fac.goto(base + "/login")
    audit(fac, "log in", "facilitator")
    fac.get_by_label("Name").fill("demo")
    fac.get_by_label("Password").fill("not the password")
    fac.get_by_role("button", name="Log in").click()
    expect(fac.locator(".govuk-error-summary")).to_be_visible()
    audit(fac, "log in: wrong password", "facilitator")
    log_in(fac, base, server.password)
    audit(fac, "your consultations", "facilitator")
    fac.get_by_role("link", name=re.compile("Riverside Council")).first.click()
    consultation_url = fac.url
    audit(fac, "a consultation", "facilitator")
    fac.get_by_role("link", name="Set up a workshop").click()
    audit(fac, "set up a workshop", "facilitator")
    fac.get_by_label("Workshop name").fill("Every kind of question")
    fac.get_by_label("Every kind of question (for tests)").check()
    cards = fac.locator("input[name=use_cases]")
    for n in range(cards.count()):  # one card is enough: it is the same pages again for each
        cards.nth(n).set_checked(n == 0)
    fac.get_by_label("Check comments").select_option("pre")
    fac.get_by_label(re.compile("^No check: anyone with the join code")).check()  # phones join by the plain link
    fac.get_by_role("button", name="Create workshop").click()
    expect(fac.get_by_role("heading", level=1)).to_have_text("Every kind of question")
    workshop_url = fac.url
    join_url = fac.locator("#join-url").get_attribute("href") or ""
    projector_url = fac.locator("#open-projector").get_attribute("href") or ""
    audit(fac, "a workshop", "facilitator")
    fac.goto(base + "/f/c/999")
    audit(fac, "page not found", "facilitator")
    fac.goto(workshop_url + "/console")
    expect(fac.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT)
    audit(fac, "console before the start", "facilitator")

    big = browser.new_context(viewport=PROJECTOR, reduced_motion="reduce")
    projector = watch(big.new_page(), "projector", errors)
    projector.goto(projector_url)
    expect(projector.locator("#projector-code")).to_be_visible()
    audit(projector, "projector before the start", "projector")

    # --- a participant's phone, from the start page to the live page ------------------------
    phone_ctx = phone_context(browser)
    # Expected: a wrong code (400, then 404), and the browser's complaints while it is offline.
    phone = watch(
        phone_ctx.new_page(),
        "phone",
        errors,
        expected=((400, "/"), (404, "/j/" + code_guess)),
        console_ok=("ERR_INTERNET_DISCONNECTED", "WebSocket connection to"),
    )
    phone.goto(base + "/")
    audit(phone, "start page")
    phone.get_by_label("Workshop code").fill("NOPE")
    phone.get_by_role("button", name="Join").click()
    expect(phone.locator(".govuk-error-summary")).to_be_visible()
    audit(phone, "start page: code not found")
    phone.goto(base + "/j/" + code_guess)
    audit(phone, "workshop not found")
    phone.goto(base + "/glossary")
    audit(phone, "words explained (glossary)")
    receipt = join(phone, join_url, audit)
    audit(phone, "questions page before the start")

    # A second phone, for the states the first one must not end up in.
    other_ctx = phone_context(browser)
    other = watch(other_ctx.new_page(), "phone 2", errors)
    other_receipt = join(other, join_url)

    # --- the workshop runs: every step, as the phone sees it --------------------------------
    fac.get_by_role("button", name="Start the workshop").click()
    step_shown(phone, 0)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello")
    audit(phone, "step: information")
    audit(fac, "console while running", "facilitator")
    for position in range(1, len(STEP_NAMES) - 1):
        name = STEP_NAMES[position]
        fac.get_by_role("button", name="Next step").click()
        step_shown(phone, position)
        if name == "card":
            phone.locator("details summary").first.click()
            expect(phone.locator("details .cg-glossary").first).to_be_visible()
        audit(phone, f"step: {name}")
        if name == "values":
            ready_to_answer(phone, position)
            phone.get_by_label("Care", exact=True).check()
            phone.get_by_role("button", name="Send my answer").click()
            expect(form_status(phone)).to_contain_text(SAVED, timeout=WAIT)
            said_in_words(phone, "saved")
            audit(phone, "step: values, answer saved")
        if name == "text":
            ready_to_answer(phone, position)
            phone.get_by_label("Your comment").fill("A social worker should always check it. Call me on 07700 900123.")
            expect(phone.locator(".cg-preview").first).to_be_visible(timeout=WAIT)
            audit(phone, "step: text, with the note that details will be hidden")
            phone.get_by_role("button", name="Send my answer").click()
            expect(form_status(phone)).to_contain_text(SAVED, timeout=WAIT)
            # The second phone writes something that may be about harm: it is held back.
            ready_to_answer(other, position)
            other.get_by_label("Your comment").fill("my dad hits me when he is angry")
            other.get_by_role("button", name="Send my answer").click()
            expect(other.get_by_role("heading", level=1)).to_have_text("Thank you for telling us", timeout=WAIT)
            audit(other, "kind message after a comment that may be about harm")
            other.get_by_role("link", name="Back to the questions").click()
            step_shown(other, position)
            # The facilitator checks comments: one waiting, and a private safeguarding alert.
            fac.goto(workshop_url + "/moderation")
            expect(fac.locator("#alerts .govuk-notification-banner")).to_be_visible()
            audit(fac, "check comments, with a safeguarding alert", "facilitator")
            fac.locator("a[id^=edit-]").first.click()
            audit(fac, "hide some words of a comment", "facilitator")
            fac.go_back()
            fac.locator("button[id^=approve-]").first.click()
            fac.goto(workshop_url + "/console")
            expect(fac.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT)
            phone.get_by_role("link", name=re.compile("See what others said")).click()
            expect(phone.locator(".cg-comment").first).to_be_visible()
            audit(phone, "what others said")
            phone.get_by_role("link", name="Back to the questions").click()
            step_shown(phone, position)

    # The position question: the follow-up opens, the answer is saved, easy read, offline.
    position = STEP_NAMES.index("position")
    ready_to_answer(phone, position)
    phone.get_by_label(CONDITIONS, exact=True).check()
    expect(phone.locator("#cond-conditions")).to_be_visible()
    audit(phone, "step: position, 'only if' chosen")
    phone.get_by_label("Only if...", exact=True).fill("a social worker always checks the score")
    phone.get_by_role("button", name="Send my answer").click()
    expect(form_status(phone)).to_contain_text(SAVED, timeout=WAIT)
    said_in_words(phone, "saved")
    audit(phone, "step: position, answer saved")
    phone.get_by_role("link", name="Easy read").click()
    expect(phone.locator(".cg-picture").first).to_be_visible()
    audit(phone, "step: position, easy read on")
    phone.get_by_role("link", name="Turn off easy read").click()
    expect(phone.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
    phone_ctx.set_offline(True)
    expect(phone.locator("#connection")).to_contain_text("offline", timeout=WAIT)
    said_in_words(phone, "offline")
    audit(phone, "offline")
    phone_ctx.set_offline(False)
    expect(phone.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)

    # The second phone takes its answers back in another tab, then tries to answer: an error.
    second_tab = watch(other_ctx.new_page(), "phone 2, second tab", errors)
    withdraw(second_tab, base, other_receipt)
    ready_to_answer(other, position)
    other.get_by_label("I object", exact=True).check()
    other.get_by_role("button", name="Send my answer").click()
    expect(form_status(other)).to_contain_text("no longer part of this workshop", timeout=WAIT)
    said_in_words(other, "error")
    audit(other, "step: position, answer refused")

    # The big screen shows results; the break; the end.
    fac.get_by_role("button", name="Show results on the big screen").click()
    # One person has answered (k is 5): the big screen says results wait for 5. (The projector
    # showing a chart is audited in test_live_workshop.py, where 5 people answer.)
    expect(projector.locator("#projector-waiting")).to_be_visible(timeout=WAIT)
    audit(projector, "projector: results wait for 5 answers", "projector")
    fac.get_by_role("button", name="Take a break").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Time for a break", timeout=WAIT)
    audit(phone, "on a break")
    audit(projector, "projector on a break", "projector")
    fac.get_by_role("button", name="End the break").click()
    step_shown(phone, position)
    expect(phone.locator("#step")).to_have_attribute("data-open", "yes", timeout=WAIT)
    fac.get_by_role("button", name="Next step").click()
    step_shown(phone, position + 1)
    audit(phone, "step: closing information")
    fac.locator("#end-details summary").click()
    fac.get_by_role("button", name="End the workshop now").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you for taking part", timeout=WAIT)
    audit(phone, "the workshop has ended")
    expect(projector.get_by_role("heading", level=1)).to_have_text("Thank you for taking part", timeout=WAIT)
    audit(projector, "projector after the end", "projector")
    expect(fac.locator("#step-state")).to_contain_text("Ended", timeout=WAIT)
    audit(fac, "console after the end", "facilitator")

    # --- the record, the register, publishing, and what participants read after ------------
    fac.goto(consultation_url + "/record")
    audit(fac, "record and export", "facilitator")
    fac.locator("#report-link").click()
    audit(fac, "report on screen", "facilitator")
    fac.goto(consultation_url + "/register")
    audit(fac, "conditions register", "facilitator")
    fac.locator("input[name=comments]").first.check()
    fac.get_by_role("button", name="Make one new item from the ones you ticked").click()
    expect(fac.locator(".cg-register-item")).to_have_count(1)
    audit(fac, "conditions register with an item", "facilitator")
    fac.goto(consultation_url + "/publish")
    audit(fac, "publish", "facilitator")
    summary = "We heard you. A social worker will check every score."
    fac.get_by_label("What you heard, and what you will do").fill(summary)
    fac.locator("#publish").click()
    expect(fac.get_by_role("heading", name="What is published now")).to_be_visible()
    audit(fac, "publish: published", "facilitator")

    # --- answers for people without a phone --------------------------------------------------
    fac.goto(workshop_url + "/assisted")
    audit(fac, "answers for people without a phone", "facilitator")
    fac.locator("#start-paper").click()
    questions = STEP_NAMES[2:-1]
    for number, name in enumerate(questions, 1):
        expect(fac.locator(".govuk-caption-l")).to_have_text(f"Paper form · question {number} of {len(questions)}")
        audit(fac, f"paper form typed in: {name}", "facilitator")
        fac.get_by_role("button", name="Left blank on the form: skip").click()
    expect(fac.get_by_role("heading", level=1)).to_have_text("Paper form entered")
    audit(fac, "paper form entered", "facilitator")
    fac.goto(workshop_url + "/paper")
    audit(fac, "paper version", "paper")

    # --- the first phone comes back with its receipt code and takes its answers back --------
    withdraw(phone, base, receipt, audit)

    print(audit.report())
    assert all(not found for found in audit.found.values()), audit.report()
    assert not errors, "\n".join(errors)
    for context in (desk, big, phone_ctx, other_ctx):
        context.close()


def test_live_page_tells_screen_readers_what_changed(server: LiveServer, browser: Browser) -> None:
    """The step and "Saved" are live regions, and a new step moves focus to its heading."""
    desk = browser.new_context(viewport=DESKTOP)
    fac = desk.new_page()
    log_in(fac, server.base_url, server.password)
    fac.get_by_role("link", name=re.compile("Riverside Council")).first.click()
    fac.get_by_role("link", name="Demo workshop").click()
    join_url = fac.locator("#join-url").get_attribute("href") or ""
    kinds = fac.locator(".cg-step-list > li").evaluate_all(
        "items => items.map(li => ((li.querySelector('.govuk-tag') || {}).textContent || '').trim())"
    )
    position = kinds.index("position")
    fac.get_by_role("link", name="Open the console").click()
    expect(fac.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT)

    context = phone_context(browser)
    phone = context.new_page()
    join(phone, join_url)
    # Before anything changes: the step region and the connection line are polite live regions.
    assert phone.locator("#step-region").get_attribute("aria-live") == "polite"
    assert phone.locator("#connection").get_attribute("role") == "status"
    regions = live_regions(phone)
    assert "status:polite" in regions and "generic:polite" in regions, regions

    fac.get_by_role("button", name="Start the workshop").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello and welcome", timeout=WAIT)
    phone.locator("#step-region h1").focus()  # a screen-reader user reading the step
    fac.locator(f"#ctl-goto-{position}").click()
    step_shown(phone, position)
    # The new question's heading takes focus, so it is read out, inside the live region.
    expect(phone.locator("#step-region legend h1")).to_be_focused()
    ready_to_answer(phone, position)
    status = form_status(phone)
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    phone.get_by_label("I can live with this", exact=True).check()
    phone.get_by_role("button", name="Send my answer").click()
    expect(status).to_contain_text(SAVED, timeout=WAIT)
    # What a screen reader is given: the status node in the accessibility tree holds the words.
    tree = phone.locator(".cg-answer-form").aria_snapshot()
    assert re.search(r"- status: .*Saved", tree), tree
    context.close()
    desk.close()


BROKEN_PAGE = """<!DOCTYPE html><html lang="en"><head><style>
  .tiny { width: 20px; height: 20px; padding: 0 } .wide { white-space: nowrap } .moving { transition: color 1s }
</style></head><body>
<p>Words outside every landmark.</p>
<main><h1>One</h1><h1>Two</h1>
  <input type="text"><button class="tiny">x</button><a class="moving" href="#x">Go on</a>
  <p class="wide">This sentence is far too long to fit on a small phone without wrapping at all, ever.</p>
  <p class="cg-status cg-status--saved"></p>
</main></body></html>"""


def test_the_checks_find_what_they_look_for(browser: Browser) -> None:
    """Each check, run on a page made to fail it, does fail: none of them passes by doing nothing."""
    from .cg_browser import snapshot_problems

    context = browser.new_context(viewport=PHONE, reduced_motion="no-preference")
    page = context.new_page()
    page.set_content(BROKEN_PAGE)
    assert "label" in {v["id"] for v in axe_violations(page)}
    structure = " | ".join(structure_problems(page))
    assert "2 level-1 headings" in structure and "no banner landmark" in structure
    assert "textbox has no name" in structure
    snapshot = " | ".join(snapshot_problems(page))
    assert "outside every landmark" in snapshot and "textbox with no name" in snapshot
    assert any("button" in t and "20 x 20" in t for t in small_targets(page)), small_targets(page)
    assert any("scrolls sideways" in p for p in layout_problems(page)), layout_problems(page)
    assert any("moves for 1s" in m for m in moving_things(page)), moving_things(page)
    context.close()
