"""One person, one voice, in a real browser: the presence code, the join cap and invitation cards.

A facilitator sets the demo workshop to need the number on the big screen. A phone "scans"
the projector's QR code (opens the address the QR code carries) and finds the number filled
in; a second phone types the number it reads off the projector; a third types a wrong one
and is told plainly. With a join cap reached, a fourth phone waits on "the room is full" and
goes on by itself when the console lets more people in. Then the workshop switches to
invitation cards: one card's QR address lets a phone in, a typed code lets another in, and a
used code is refused.
"""

from __future__ import annotations

import os
import re
import sqlite3

import pytest

if os.environ.get("CI", "").lower() != "true":  # in CI a missing Playwright is a failure
    pytest.importorskip("playwright")

from cg_browser import DESKTOP, PHONE, WAIT, log_in, watch  # noqa: E402
from conftest import LiveServer  # noqa: E402
from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


def _ids(live_server: LiveServer) -> tuple[int, int]:
    with sqlite3.connect(live_server.database) as conn:
        return conn.execute(
            "SELECT consultation_id, id FROM workshop WHERE join_code = ?", (live_server.join_code,)
        ).fetchone()


def _phone(browser: Browser, errors: list[str], name: str, code: str) -> Page:
    # A refused code (400) and "the room is full" (503) are answers this test provokes.
    expected = ((400, f"/j/{code}"), (503, f"/j/{code}"))
    return watch(browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page(), name, errors, expected)


def _choose(fac: Page, workshop_url: str, protection: str, expected: str = "", cap: str = "") -> None:
    fac.goto(workshop_url)
    fac.get_by_label(re.compile("^" + re.escape(protection))).check()
    fac.get_by_label("How many people you expect").fill(expected)
    fac.get_by_label("Most phones allowed to join").fill(cap)
    fac.get_by_role("button", name="Save joining settings").click()
    expect(fac.locator(".govuk-notification-banner").first).to_contain_text("Joining settings saved.")


def _joined(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Which of these best describes you?", timeout=WAIT)


def test_presence_code_cap_and_invitation_cards(live_server: LiveServer, browser: Browser) -> None:
    errors: list[str] = []
    base = live_server.base_url
    cid, wid = _ids(live_server)
    workshop_url = f"{base}/f/c/{cid}/w/{wid}"
    fac = watch(browser.new_context(viewport=DESKTOP).new_page(), "facilitator", errors)
    log_in(fac, base, live_server.password)
    _choose(fac, workshop_url, "A number on the big screen", expected="2", cap="2")

    projector = watch(browser.new_context(viewport={"width": 1280, "height": 720}).new_page(), "projector", errors)
    projector.goto(fac.locator("#open-projector").get_attribute("href") or "")
    number = projector.locator("#projector-presence").inner_text().strip()
    assert re.fullmatch(r"\d{5}", number), number
    scanned = projector.locator("#projector-qr").get_attribute("data-join") or ""
    assert scanned.endswith(f"/j/{live_server.join_code}?pc={number}")

    # Scanning the QR code: the number is already filled in.
    first = _phone(browser, errors, "phone 1", live_server.join_code)
    first.goto(scanned)
    expect(first.get_by_label("Number on the big screen")).to_have_value(number)
    first.locator("#consent").click()
    _joined(first)

    # A wrong number is refused plainly, and nothing is saved.
    wrong = _phone(browser, errors, "phone 2", live_server.join_code)
    wrong.goto(f"{base}/j/{live_server.join_code}")
    wrong.get_by_label("Number on the big screen").fill("00000" if number != "00000" else "11111")
    wrong.locator("#consent").click()
    expect(wrong.locator(".govuk-error-summary")).to_contain_text("not the one on the big screen")
    # Typed off the projector (read again: it may have changed this minute), it works.
    wrong.get_by_label("Number on the big screen").fill(projector.locator("#projector-presence").inner_text().strip())
    wrong.locator("#consent").click()
    _joined(wrong)

    # The cap (2) is reached: the next phone waits, and goes on by itself when more may join.
    late = _phone(browser, errors, "phone 3", live_server.join_code)
    late.goto(f"{base}/j/{live_server.join_code}")
    late.get_by_label("Number on the big screen").fill(projector.locator("#projector-presence").inner_text().strip())
    late.locator("#consent").click()
    expect(late.get_by_role("heading", level=1)).to_have_text("The room is full")
    expect(late.locator("#room-status")).to_contain_text("Waiting for room")
    fac.goto(workshop_url + "/console")
    expect(fac.locator("#console-room-full")).to_be_visible()
    fac.locator("#raise-cap").click()
    expect(fac.locator("#console-cap")).to_have_text("7")
    _joined(late)  # no button pressed on the phone

    # Invitation cards for a self-paced round.
    _choose(fac, workshop_url, "Single-use invitation cards", expected="", cap="")
    fac.goto(workshop_url + "/invitations")
    fac.get_by_label("How many invitation cards").fill("2")
    fac.get_by_role("button", name="Make and print cards").click()
    cards = fac.locator(".card-code")
    expect(cards).to_have_count(2)
    assert fac.locator(".card svg").count() == 2
    codes = [cards.nth(n).inner_text().strip() for n in range(2)]
    link = cards.nth(0).get_attribute("data-link") or ""
    assert link.endswith(f"?inv={codes[0]}")

    by_qr = _phone(browser, errors, "invited 1", live_server.join_code)
    by_qr.goto(link)
    expect(by_qr.get_by_label("Code on your card")).to_have_value(codes[0])
    by_qr.locator("#consent").click()
    _joined(by_qr)

    typed = _phone(browser, errors, "invited 2", live_server.join_code)
    typed.goto(f"{base}/j/{live_server.join_code}")
    typed.get_by_label("Code on your card").fill(codes[1].lower())
    typed.locator("#consent").click()
    _joined(typed)

    again = _phone(browser, errors, "invited 3", live_server.join_code)
    again.goto(link)
    again.locator("#consent").click()
    expect(again.locator(".govuk-error-summary")).to_contain_text("does not work")

    # The console counts the cards used, never who used them.
    fac.goto(workshop_url + "/console")
    expect(fac.locator("#console-invitations")).to_have_text("2 of 2")
    assert errors == []


def test_an_answer_that_arrives_after_the_question_closed_is_reported_on_the_phone(
    live_server: LiveServer, browser: Browser
) -> None:
    """A phone answers while offline; the facilitator moves on; back online, the phone says plainly it was not saved."""
    from cg_browser import go_to_step, open_console

    errors: list[str] = []
    base = live_server.base_url
    cid, wid = _ids(live_server)
    workshop_url = f"{base}/f/c/{cid}/w/{wid}"
    with sqlite3.connect(live_server.database) as conn:
        (position,) = conn.execute(
            "SELECT position FROM workshop_step WHERE workshop_id = ? AND prompt_type = 'position' ORDER BY position",
            (wid,),
        ).fetchone()
    fac = watch(browser.new_context(viewport=DESKTOP).new_page(), "facilitator", errors)
    log_in(fac, base, live_server.password)
    _choose(fac, workshop_url, "No check")
    open_console(fac, workshop_url + "/console")
    go_to_step(fac, position)

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = watch(context.new_page(), "phone", errors, console_ok=("ERR_INTERNET_DISCONNECTED", "WebSocket"))
    phone.goto(f"{base}/j/{live_server.join_code}")
    phone.locator("#consent").click()
    phone.locator("button[name=role]").click()
    phone.locator("#to-questions").click()
    expect(phone.locator(".cg-answer-form")).to_have_attribute("data-step", str(position), timeout=WAIT)
    expect(phone.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)

    context.set_offline(True)
    expect(phone.locator("#connection")).to_contain_text("offline", timeout=WAIT)
    phone.get_by_label("I'm not sure, I need to know more", exact=True).check()
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.locator(".cg-answer-form [data-status]")).to_contain_text("kept on this phone")

    go_to_step(fac, position + 1)  # the question closes while the phone is away
    context.set_offline(False)
    expect(phone.locator("#connection")).to_contain_text(
        "Your last answer was not saved: This question is closed now", timeout=WAIT
    )
    with sqlite3.connect(live_server.database) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM response r JOIN workshop_step s ON s.id = r.step_id "
            "WHERE s.workshop_id = ? AND s.position = ?",
            (wid, position),
        ).fetchone()[0]
    assert stored == 0
    assert errors == []
