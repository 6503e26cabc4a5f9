"""A whole workshop in Welsh, on real phones, from the welcome page to the end.

A participant picks "Cymraeg" on the welcome page. From then on every page they see must be
Welsh: ``<html lang="cy">`` (so a screen reader speaks Welsh), the page's own words, the
default pack's steps (from the ``translations: cy:`` of prompts/packs/three-tier.yaml), the
live updates that arrive without a reload, and the messages the phone's script writes
("Saved", "offline"). English is caught by looking for every English sentence of the
catalogue, and of the pack, in the page's visible text. A second phone reads Welsh in easy
read. The answer is recorded against a participant whose language is Welsh.

The use-case card's own text stays English: cards are written by the facilitator and have
no Welsh version yet (docs/accessibility.md lists this).
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest

if os.environ.get("CI", "").lower() != "true":  # in CI a missing Playwright is a failure
    pytest.importorskip("playwright")
from babel.messages.pofile import read_po  # noqa: E402
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.support import ROOT, LiveServer  # noqa: E402
from workshop.domain.vocabulary import POSITIONS, POSITIONS_EASY  # noqa: E402
from workshop.library import load_library  # noqa: E402
from workshop.translations.cy_strings import CY  # noqa: E402

from .cg_browser import DESKTOP, PHONE, WAIT, go_to_step, log_in, new_workshop, open_console, watch  # noqa: E402

pytestmark = pytest.mark.browser

PACK = load_library(ROOT / "prompts").default_pack
WELSH = PACK.translations["cy"]
CONDITION = "dim ond os yw teuluoedd yn cael gwybod"


def _english_sentences() -> list[str]:
    """Every English text a participant could be shown that has Welsh: the catalogue and the pack."""
    po = Path(ROOT / "workshop" / "translations" / "cy" / "LC_MESSAGES" / "messages.po")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="cy")
    found = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for english in ids:
            # Two words or more: a single word ("Care") could be part of anything.
            if english and len(english.split()) >= 2 and "%(" not in english:
                found.add(english)
    for step in PACK.all_steps():
        found.update(t for t in (step.title, step.text, step.question) if t)
        found.update(step.labels)
        found.update(label for _key, label in step.options)
    return sorted(found, key=len, reverse=True)


ENGLISH = _english_sentences()


def english_on(page: Page) -> list[str]:
    """English sentences visible on a Welsh page (the card's own text is left out)."""
    text = page.evaluate("""() => {
      const copy = document.body.cloneNode(true)
      copy.querySelectorAll('.cg-card-list, [hidden], script, noscript, [lang=en]').forEach((el) => el.remove())
      const labels = Array.from(document.querySelectorAll('[aria-label]'), (el) => el.getAttribute('aria-label'))
      return copy.innerText + ' ' + labels.join(' ')
    }""")
    text = re.sub(r"\s+", " ", text)
    return [english for english in ENGLISH if english in text and english not in CY.values()]


def in_welsh(page: Page, where: str, found: dict[str, list[str]]) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    found[where] = english_on(page)


def test_a_whole_workshop_in_welsh(live_server: LiveServer, browser: Browser) -> None:
    errors: list[str] = []
    leaks: dict[str, list[str]] = {}
    base = live_server.base_url
    desk = browser.new_context(viewport=DESKTOP)
    fac = watch(desk.new_page(), "console", errors)
    log_in(fac, base, live_server.password)
    fac.get_by_role("link", name=re.compile("Riverside Council")).first.click()
    urls = new_workshop(fac, fac.url, "Gweithdy yn Gymraeg")
    kinds = urls["kinds"].split(",")
    open_console(fac, urls["console"])

    # The welcome page, in English first; the participant picks Cymraeg.
    hand = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = watch(hand.new_page(), "phone", errors)
    phone.goto(urls["join"])
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    assert "I'm happy to take part" in english_on(phone)  # the check for English does find it
    phone.get_by_role("link", name="Cymraeg").click()
    in_welsh(phone, "welcome page", leaks)
    expect(phone.get_by_role("link", name="English")).to_have_attribute("lang", "en")
    phone.get_by_role("button", name=CY["I'm happy to take part"]).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(CY["Which of these best describes you?"])
    in_welsh(phone, "role question", leaks)
    phone.get_by_label(CY["Family member"], exact=True).check()
    phone.get_by_role("button", name=CY["Continue"]).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(CY["Your receipt code"])
    in_welsh(phone, "receipt code", leaks)
    phone.get_by_role("link", name=CY["Go to the questions"]).click()
    expect(phone.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
    expect(phone.get_by_role("heading", level=1)).to_have_text(CY["You're in"])
    in_welsh(phone, "questions page before the start", leaks)
    phone.evaluate("() => { window.cgNoReload = true }")

    # A second phone reads Welsh in easy read.
    easy_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    easy = watch(easy_ctx.new_page(), "easy-read phone", errors)
    easy.goto(base + "/language/cy?next=/")
    easy.goto(urls["join"])
    easy.get_by_role("link", name=CY["Easy read"]).click()
    easy.get_by_role("button", name=CY["I'm happy to take part"]).click()
    easy.locator("button[name=role]").click()
    easy.get_by_role("link", name=CY["Go to the questions"]).click()
    expect(easy.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)

    # Every step of the default pack arrives live, in Welsh.
    steps = list(PACK.all_steps())  # one card, so the per-card steps come once
    assert len(steps) == len(kinds)
    for position, step in enumerate(steps):
        go_to_step(fac, position)
        expect(phone.locator("#step")).to_have_attribute("data-step", str(position), timeout=WAIT)
        wording = WELSH[step.id]
        if step.kind == "card":
            expect(phone.locator(".govuk-caption-m")).to_have_text(wording["title"])
        else:
            heading = wording["question" if step.question else "title"]
            expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
        in_welsh(phone, f"step {position + 1}: {step.id}", leaks)
        if step.kind == "prompt" and step.type == "scale":
            for label in wording["labels"]:
                expect(phone.get_by_text(label, exact=False).first).to_be_visible()
        if step.kind == "prompt" and step.options:
            for label in wording["options"].values():
                expect(phone.get_by_label(label, exact=True)).to_be_visible()
        if step.type == "position":
            # Easy read in Welsh: the short answers, each with its picture.
            expect(easy.locator("#step")).to_have_attribute("data-step", str(position), timeout=WAIT)
            for key, short in POSITIONS_EASY.items():
                expect(easy.get_by_label(CY[short], exact=True)).to_be_visible()
                number = list(POSITIONS).index(key) + 1
                assert easy.locator(f"label[for='position-{number}'] svg.cg-picture").count() == 1
            in_welsh(easy, "easy read: position question", leaks)
            # The participant answers "only if", in Welsh.
            phone.get_by_label(CY[POSITIONS["conditions"]], exact=True).check()
            phone.get_by_label(CY["Only if..."], exact=True).fill(CONDITION)
            phone.get_by_role("button", name=CY["Send my answer"]).click()
            status = phone.locator(".cg-answer-form [data-status]")
            expect(status).to_have_text(
                CY["Saved. You can change your answer until the question closes."]
                + " "
                + CY["Your words will be checked before anyone else sees them."],
                timeout=WAIT,
            )
            expect(phone.get_by_role("button", name=CY["Change my answer"])).to_be_visible()
            in_welsh(phone, "position question, answer saved", leaks)
            hand.set_offline(True)
            expect(phone.locator("#connection")).to_contain_text("all-lein", timeout=WAIT)
            in_welsh(phone, "offline", leaks)
            hand.set_offline(False)
            expect(phone.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)

    fac.locator("#end-details summary").click()
    fac.get_by_role("button", name="End the workshop now").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(CY["Thank you for taking part"], timeout=WAIT)
    in_welsh(phone, "the end", leaks)
    assert phone.evaluate("() => window.cgNoReload === true"), "the phone reloaded to follow the workshop"

    # Recorded: one Welsh participant's answer and condition for the position question.
    position = kinds.index("position")
    code = urls["join"].rsplit("/", 1)[1]
    with sqlite3.connect(live_server.database) as conn:
        rows = conn.execute(
            "SELECT p.language, r.key FROM response r JOIN participant p ON p.id = r.participant_id "
            "JOIN workshop_step s ON s.id = r.step_id JOIN workshop w ON w.id = s.workshop_id "
            "WHERE w.join_code = ? AND s.position = ?",
            (code, position),
        ).fetchall()
        conditions = conn.execute(
            "SELECT c.text FROM comment c JOIN workshop w ON w.id = c.workshop_id "
            "WHERE w.join_code = ? AND c.kind = 'condition'",
            (code,),
        ).fetchall()
        languages = conn.execute(
            "SELECT p.language FROM participant p JOIN workshop w ON w.id = p.workshop_id WHERE w.join_code = ?",
            (code,),
        ).fetchall()
    assert rows == [("cy", "conditions")], rows
    assert [c[0] for c in conditions] == [CONDITION]
    assert sorted(lang for (lang,) in languages) == ["cy", "cy"]

    broken = {where: found for where, found in leaks.items() if found}
    assert not broken, "English on Welsh pages:\n" + "\n".join(f"{w}: {f}" for w, f in broken.items())
    assert not [e for e in errors if "WebSocket connection to" not in e and "INTERNET_DISCONNECTED" not in e], errors
    for context in (hand, easy_ctx, desk):
        context.close()
