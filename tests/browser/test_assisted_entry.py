"""People without a phone take part too: paper forms typed in, and a shared tablet.

A facilitator starts a fresh consultation (smallest group shown: 2, so a small test can see
its counts), types in two paper forms, and turns a second browser into a shared tablet that
two people use one after the other, in Welsh. Two more people join on their own phones.
Each of the six is their own anonymous participant; the four without a phone are marked
assisted. The record then counts how people took part (own device or assisted) and in which
language, each on its own, and never next to anyone's answers.
"""

from __future__ import annotations

import os
import re
import sqlite3

import pytest

if os.environ.get("CI", "").lower() != "true":  # in CI a missing Playwright is a failure
    pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.support import ROOT, LiveServer  # noqa: E402
from workshop.library import load_library  # noqa: E402
from workshop.translations.cy_strings import CY  # noqa: E402

from .cg_browser import (  # noqa: E402
    DESKTOP,
    PHONE,
    SAVED,
    WAIT,
    go_to_step,
    log_in,
    new_workshop,
    open_console,
    ready_to_answer,
    watch,
)

pytestmark = pytest.mark.browser

STEPS = load_library(ROOT / "prompts").default_pack.all_steps()
POSITION = next(n for n, s in enumerate(STEPS) if s.type == "position")
PROMPTS = [n for n, s in enumerate(STEPS) if s.kind == "prompt"]
OWN, ASSISTED = "On their own device", "Assisted (paper form or shared tablet)"


def type_in_paper_form(fac: Page, workshop_url: str, answer: str) -> str:
    """Type in one paper form: only its position question was filled in. Return its receipt code."""
    fac.goto(workshop_url + "/assisted")
    fac.get_by_label("Family member", exact=True).check()
    fac.get_by_role("button", name="Start typing in a paper form").click()
    for number, position in enumerate(PROMPTS, 1):
        expect(fac.locator(".govuk-caption-l")).to_have_text(f"Paper form · question {number} of {len(PROMPTS)}")
        if position == POSITION:
            fac.get_by_label(answer, exact=True).check()
            fac.get_by_role("button", name="Send my answer").click()
        else:
            fac.get_by_role("button", name="Left blank on the form: skip").click()
    expect(fac.get_by_role("heading", level=1)).to_have_text("Paper form entered")
    return fac.locator("#assisted-receipt").inner_text().strip()


def answer_on(page: Page, label: str, send: str = "Send my answer", saved: str = SAVED) -> None:
    """Answer the position question once the phone's script is live; wait for its own "Saved"."""
    ready_to_answer(page, POSITION)
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name=send).click()
    expect(page.locator(".cg-answer-form [data-status]")).to_have_text(saved, timeout=WAIT)


def test_paper_forms_and_a_shared_tablet_are_counted_apart(live_server: LiveServer, browser: Browser) -> None:
    errors: list[str] = []
    base = live_server.base_url
    desk = browser.new_context(viewport=DESKTOP)
    fac = watch(desk.new_page(), "facilitator", errors)
    log_in(fac, base, live_server.password)

    # A fresh consultation, so nothing else is counted; groups of 2 are shown.
    fac.get_by_role("link", name="Start a new consultation").click()
    fac.get_by_label("Title", exact=True).fill("Taking part without a phone")
    fac.get_by_label("Smallest group shown").fill("2")
    fac.get_by_role("button", name="Save").click()
    expect(fac.get_by_role("heading", level=1)).to_have_text("Taking part without a phone")
    consultation_url = fac.url
    fac.get_by_role("link", name="Copy a card from the library").click()
    fac.get_by_role("button", name=re.compile("Copy into this consultation")).first.click()
    urls = new_workshop(fac, consultation_url, "Library group")
    workshop_url = urls["workshop"]

    # Two paper forms, typed in by the facilitator; each gets its own receipt code.
    receipts = [
        type_in_paper_form(fac, workshop_url, "I object"),
        type_in_paper_form(fac, workshop_url, "I can live with this"),
    ]
    assert len(set(receipts)) == 2 and all(re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", r) for r in receipts)

    open_console(fac, urls["console"])
    go_to_step(fac, POSITION)

    # A shared tablet: the facilitator sets it up on the tablet; two people use it in Welsh.
    tablet_ctx = browser.new_context(viewport={"width": 800, "height": 1000})
    tablet = watch(tablet_ctx.new_page(), "tablet", errors)
    log_in(tablet, base, live_server.password)
    tablet.goto(workshop_url + "/assisted")
    tablet.get_by_role("button", name="Make this browser a shared tablet").click()
    for person in range(2):
        expect(tablet.locator("#consent")).to_be_visible()
        if person == 0:
            tablet.get_by_role("link", name="Cymraeg").click()
        tablet.get_by_role("button", name=CY["I'm happy to take part"]).click()
        tablet.get_by_role("button", name=CY["Skip this question"]).click()
        tablet.get_by_role("link", name=CY["Go to the questions"]).click()
        # The next person sees nothing of the last one's answer.
        expect(tablet.locator(".cg-answer-form")).to_have_attribute("data-step", str(POSITION), timeout=WAIT)
        expect(tablet.locator(".cg-answer-form input:checked")).to_have_count(0)
        expect(tablet.locator(".cg-answer-form [data-status]")).to_have_text("")
        answer_on(
            tablet,
            CY["I can live with this"],
            CY["Send my answer"],
            CY["Saved. You can change your answer until the question closes."],
        )
        tablet.get_by_role("button", name=CY["Finish and pass it on"]).click()
        expect(tablet.locator(".govuk-notification-banner")).to_contain_text(
            CY["Thank you. Please pass the tablet to the next person."]
        )

    # Two people on their own phones, in English.
    for n in range(2):
        hand = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        phone = watch(hand.new_page(), f"phone {n + 1}", errors)
        phone.goto(urls["join"])
        phone.locator("#consent").click()
        phone.locator("button[name=role]").click()
        phone.locator("#to-questions").click()
        answer_on(phone, "I'm not sure, I need to know more")
        hand.close()

    # Stored: six people, the four without a phone marked assisted, languages as chosen.
    code = urls["join"].rsplit("/", 1)[1]
    with sqlite3.connect(live_server.database) as conn:
        people = conn.execute(
            "SELECT p.assisted, p.language, (SELECT r.key FROM response r JOIN workshop_step s ON s.id = r.step_id "
            "  WHERE r.participant_id = p.id AND s.position = ?) "
            "FROM participant p JOIN workshop w ON w.id = p.workshop_id WHERE w.join_code = ?",
            (POSITION, code),
        ).fetchall()
    assert sorted(people) == sorted(
        [
            (1, "en", "object"),
            (1, "en", "consent"),
            (1, "cy", "consent"),
            (1, "cy", "consent"),
            (0, "en", "unsure"),
            (0, "en", "unsure"),
        ]
    ), people

    # The record counts each way of taking part and each language, on their own.
    fac.goto(consultation_url + "/record")
    fac.locator("#report-link").click()
    who = fac.locator("section[aria-labelledby=who]")

    def counts(caption: str) -> dict[str, str]:
        table = who.locator("table", has=fac.locator("caption", has_text=caption))
        rows = table.locator("tbody tr")
        return {
            rows.nth(i).locator("th").inner_text().strip(): rows.nth(i).locator("td").inner_text().strip()
            for i in range(rows.count())
        }

    assert counts("How people took part") == {OWN: "2", ASSISTED: "4"}
    assert counts("Language people answered in") == {"English": "4", "Welsh": "2"}
    # ...and nowhere near what anyone said.
    elsewhere = fac.locator("main section:not([aria-labelledby=who])").all_inner_texts()
    for words in ("Assisted", "paper form", "Welsh", "shared tablet"):
        assert not [text for text in elsewhere if words in text], f"{words!r} appears outside 'Who took part'"
    assert not errors, "\n".join(errors)
    tablet_ctx.close()
    desk.close()
