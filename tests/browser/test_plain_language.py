"""Plain language on the phone: easy read, read aloud, and the words explained.

- Easy read gives the short answers, each with a picture, and stays on when the step
  changes: a phone in easy read gets the easy-read copy of each live update (the server
  renders one per language and reading mode, see realtime.phone_variants), while a phone
  beside it keeps the full wording.
- "Read aloud" appears only where the browser can speak (``speechSynthesis``), and speaks the
  question and every answer. The browser's speech is replaced by a recorder through an init
  script (which the Content-Security-Policy allows), so the test hears what would be said.
- The glossary has its own page, and a card explains the hard words it uses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

if os.environ.get("CI", "").lower() != "true":  # in CI a missing Playwright is a failure
    pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, Page, expect  # noqa: E402

from tests.support import ROOT, LiveServer  # noqa: E402
from workshop.domain.glossary import terms_in  # noqa: E402
from workshop.domain.vocabulary import POSITION_HINTS, POSITIONS, POSITIONS_EASY  # noqa: E402
from workshop.library import load_library  # noqa: E402

from .cg_browser import DESKTOP, PHONE, SAVED, WAIT, go_to_step, log_in, new_workshop, open_console  # noqa: E402

pytestmark = pytest.mark.browser

TERMS = yaml.safe_load((ROOT / "prompts" / "glossary.yaml").read_text(encoding="utf-8"))["terms"]
GLOSSARY = [(t["term"], t["meaning"]) for t in TERMS]

RECORD_SPEECH = """
(() => {
  window.cgSpoken = []
  const recorder = {
    speaking: false, pending: false, paused: false,
    speak (utterance) { window.cgSpoken.push({ text: utterance.text, lang: utterance.lang }) },
    cancel () {}, pause () {}, resume () {}, getVoices () { return [] },
    addEventListener () {}, removeEventListener () {}
  }
  Object.defineProperty(window, 'speechSynthesis', { configurable: true, get: () => recorder })
})()
"""
NO_SPEECH = """
(() => {
  delete window.speechSynthesis
  if (window.Window && 'speechSynthesis' in Window.prototype) delete Window.prototype.speechSynthesis
})()
"""


@pytest.fixture(scope="module")
def workshop(live_server: LiveServer, browser: Browser) -> Iterator[dict[str, Any]]:
    """A running workshop on one card, with the facilitator's console open."""
    desk = browser.new_context(viewport=DESKTOP)
    fac = desk.new_page()
    log_in(fac, live_server.base_url, live_server.password)
    fac.get_by_role("link", name=re.compile("Riverside Council")).first.click()
    urls = new_workshop(fac, fac.url, "Plain words")
    open_console(fac, urls["console"])
    # The default pack on one card: each step's kind (a prompt's type), in order.
    kinds = [s.type if s.kind == "prompt" else s.kind for s in load_library(ROOT / "prompts").default_pack.all_steps()]
    assert len(kinds) == len(urls["kinds"].split(","))
    yield {"console": fac, "join": urls["join"], "position": kinds.index("position"), "card": kinds.index("card")}
    desk.close()


def phone(browser: Browser, join_url: str, init_script: str | None = None) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.goto(join_url)
    page.locator("#consent").click()
    page.locator("button[name=role]").click()
    page.locator("#to-questions").click()
    expect(page.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
    return context, page


def test_easy_read_gives_short_answers_with_pictures_and_follows_the_room(browser: Browser, workshop: dict) -> None:
    fac = workshop["console"]
    go_to_step(fac, workshop["card"])
    easy_ctx, easy = phone(browser, workshop["join"])
    plain_ctx, plain = phone(browser, workshop["join"])
    easy.get_by_role("link", name="Easy read").click()
    expect(easy.get_by_role("link", name="Turn off easy read")).to_be_visible()
    expect(easy.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
    easy.evaluate("() => { window.cgNoReload = true }")

    # The facilitator moves to the position question: both phones follow without reloading.
    go_to_step(fac, workshop["position"])
    for page in (easy, plain):
        expect(page.locator(".cg-answer-form")).to_have_attribute("data-step", str(workshop["position"]), timeout=WAIT)
    assert easy.evaluate("() => window.cgNoReload === true"), "the easy-read phone reloaded"
    for n, (key, short) in enumerate(POSITIONS_EASY.items(), 1):
        option = easy.get_by_label(short, exact=True)
        expect(option).to_be_visible()
        picture = easy.locator(f"label[for=position-{n}] svg.cg-picture")
        expect(picture).to_have_count(1)
        assert picture.get_attribute("aria-hidden") == "true"  # the words say it; the picture is extra
        expect(plain.get_by_label(POSITIONS[key], exact=True)).to_be_visible()
        expect(easy.get_by_text(POSITION_HINTS[key], exact=True)).to_have_count(0)  # no long hints
    expect(plain.locator("svg.cg-picture")).to_have_count(0)

    # The easy-read phone answers with the short wording; it is the same answer underneath.
    easy.get_by_label(POSITIONS_EASY["conditions"], exact=True).check()
    easy.get_by_label("Only if...", exact=True).fill("a person checks every score")
    easy.get_by_role("button", name="Send my answer").click()
    expect(easy.locator(".cg-answer-form [data-status]")).to_contain_text(SAVED, timeout=WAIT)

    # Turned off again: the full wording is back.
    easy.get_by_role("link", name="Turn off easy read").click()
    expect(easy.get_by_label(POSITIONS["conditions"], exact=True)).to_be_checked()
    expect(easy.locator("svg.cg-picture")).to_have_count(0)
    easy_ctx.close()
    plain_ctx.close()


def test_read_aloud_speaks_the_question_and_every_answer(browser: Browser, workshop: dict) -> None:
    fac = workshop["console"]
    go_to_step(fac, workshop["position"])
    context, page = phone(browser, workshop["join"], RECORD_SPEECH)
    button = page.get_by_role("button", name="Read aloud")
    expect(button).to_be_visible()
    button.click()
    spoken = page.evaluate("() => window.cgSpoken")
    assert len(spoken) == 1, spoken
    said = spoken[0]["text"]
    question = page.get_by_role("heading", level=1).inner_text().strip()
    assert question in said
    for label in POSITIONS.values():
        assert label in said, f"{label!r} was not read out: {said!r}"
    assert spoken[0]["lang"] == "en-GB"
    # Hidden follow-up questions are not read; the one for the chosen answer is.
    assert "Only if..." not in said
    page.get_by_label(POSITIONS["conditions"], exact=True).check()
    button.click()
    assert "Only if..." in page.evaluate("() => window.cgSpoken")[1]["text"]
    context.close()

    # Where the browser cannot speak, there is no button that does nothing.
    mute_ctx, mute = phone(browser, workshop["join"], NO_SPEECH)
    assert mute.evaluate("() => 'speechSynthesis' in window") is False
    expect(mute.locator("[data-read-aloud]")).to_be_hidden()
    mute_ctx.close()


def test_hard_words_are_explained(live_server: LiveServer, browser: Browser, workshop: dict) -> None:
    context, page = phone(browser, workshop["join"])
    page.goto(live_server.base_url + "/glossary")
    expect(page.get_by_role("heading", level=1)).to_have_text("Words explained")
    expect(page.locator("dt")).to_have_text([term for term, _meaning in GLOSSARY])
    expect(page.locator("dd")).to_have_text([meaning.strip() for _term, meaning in GLOSSARY])

    # On a card: "What do these words mean?" lists the words that card uses, with meanings.
    go_to_step(workshop["console"], workshop["card"])
    page.goto(workshop["join"])  # a participant who has joined goes straight to the questions
    expect(page.locator("#step")).to_have_attribute("data-step", str(workshop["card"]), timeout=WAIT)
    card_text = " ".join(page.locator("#step h1, #step .govuk-body-l, .cg-card-list").all_inner_texts())
    used = terms_in([card_text], GLOSSARY)
    assert used, "the card uses no glossary word, so nothing would be explained"
    summary = page.get_by_text("What do these words mean?")
    expect(summary).to_be_visible()
    explained = page.locator(".cg-glossary")
    expect(explained).to_be_hidden()
    summary.click()
    expect(explained.locator("dt")).to_have_text([term for term, _meaning in used])
    expect(explained.locator("dd")).to_have_text([meaning.strip() for _term, meaning in used])
    context.close()
