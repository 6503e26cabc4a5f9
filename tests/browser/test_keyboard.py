"""A whole workshop by keyboard alone, read the way a screen reader reads it.

The facilitator logs in, opens the console, starts the workshop, moves through the steps and
shows the results; a participant joins and answers a position question with a condition.
Nobody clicks: every move is Tab, Shift+Tab, Enter, Space, an arrow key in a radio group, or
typing into the field that has focus. At every Tab stop the test checks that the focused
element is on screen and shows the focus style (GOV.UK's yellow, #ffdd00, as an outline,
a shadow or a background; on a radio or checkbox, around its drawn circle or box).

On each page it reads Playwright's ARIA snapshot (a screen reader's view of the page): one
h1, the banner, main and contentinfo landmarks, nothing outside a landmark, and a name on
every control; and, from the browser's accessibility tree, the live regions that announce
a new step and "Saved".
"""

from __future__ import annotations

import os
import re
import sqlite3
from typing import Any

import pytest

if os.environ.get("CI", "").lower() != "true":  # in CI a missing Playwright is a failure
    pytest.importorskip("playwright")
from playwright.sync_api import Browser, Locator, Page, expect  # noqa: E402

from tests.support import LiveServer  # noqa: E402

from .cg_browser import DESKTOP, SAVED, WAIT, live_regions, snapshot_problems, watch  # noqa: E402

pytestmark = pytest.mark.browser

MAX_TABS = 120
CONDITION = "families are told when the score is used"

_FOCUS_JS = """
() => {
  const el = document.activeElement
  if (!el || el === document.body) return null
  const yellow = 'rgb(255, 221, 0)'
  const outlined = (cs) => cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 && cs.outlineColor === yellow
  const shows = (cs) => outlined(cs) ||
    cs.boxShadow.includes(yellow) || cs.backgroundColor === yellow
  let visible = shows(getComputedStyle(el))
  if (!visible && el.matches('input[type=radio], input[type=checkbox]') && el.labels && el.labels[0]) {
    visible = shows(getComputedStyle(el.labels[0], '::before'))
  }
  const r = el.getBoundingClientRect()
  const name = (el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent) ||
    el.textContent || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 60)
  return { what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + name + '"', visible,
           onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight }
}
"""


class Keyboard:
    """Moves focus with Tab or Shift+Tab only, checking every stop on the way."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.stops = 0

    def tab_to(self, page: Page, target: Locator, *, back: bool = False) -> None:
        for _ in range(MAX_TABS):
            page.keyboard.press("Shift+Tab" if back else "Tab")
            info = page.evaluate(_FOCUS_JS)
            if info is None:
                continue  # focus left the page for the browser's own controls; keep going
            self.stops += 1
            if not info["visible"]:
                self.problems.append(f"{page.url}: no visible focus on {info['what']}")
            if not info["onScreen"]:
                self.problems.append(f"{page.url}: focus is off screen on {info['what']}")
            if target.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{MAX_TABS} presses of {'Shift+' if back else ''}Tab never reached {target}")


def screen_reader_view(page: Page, where: str, found: dict[str, list[str]]) -> None:
    found[where] = snapshot_problems(page)


def test_a_whole_workshop_by_keyboard_alone(live_server: LiveServer, browser: Browser) -> None:
    errors: list[str] = []
    keys = Keyboard()
    views: dict[str, list[str]] = {}
    base = live_server.base_url

    # --- the facilitator: log in, find the workshop, open the console ---------------------
    desk = browser.new_context(viewport=DESKTOP)
    fac = watch(desk.new_page(), "console", errors)
    fac.goto(base + "/login")
    screen_reader_view(fac, "log in", views)
    keys.tab_to(fac, fac.get_by_label("Name"))
    fac.keyboard.type("demo")
    keys.tab_to(fac, fac.get_by_label("Password"))
    fac.keyboard.type(live_server.password)
    fac.keyboard.press("Enter")
    expect(fac.get_by_role("heading", level=1)).to_have_text("Your consultations")
    screen_reader_view(fac, "your consultations", views)
    keys.tab_to(fac, fac.get_by_role("link", name=re.compile("Riverside Council")).first)
    fac.keyboard.press("Enter")
    expect(fac.get_by_role("link", name="Demo workshop")).to_be_visible()
    screen_reader_view(fac, "a consultation", views)
    keys.tab_to(fac, fac.get_by_role("link", name="Demo workshop"))
    fac.keyboard.press("Enter")
    expect(fac.locator("#join-code")).to_have_text(live_server.join_code)
    screen_reader_view(fac, "a workshop", views)
    join_url = fac.locator("#join-url").get_attribute("href") or ""
    kinds = fac.locator(".cg-step-list > li").evaluate_all(
        "items => items.map(li => ((li.querySelector('.govuk-tag') || {}).textContent || '').trim())"
    )
    position = kinds.index("position")
    keys.tab_to(fac, fac.get_by_role("link", name="Open the console"))
    fac.keyboard.press("Enter")
    expect(fac.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT)
    screen_reader_view(fac, "console", views)
    assert "status:polite" in live_regions(fac)
    keys.tab_to(fac, fac.get_by_role("button", name="Start the workshop"))
    fac.keyboard.press("Enter")
    expect(fac.locator("#step-state")).to_contain_text("Running", timeout=WAIT)

    # --- a participant joins by keyboard ------------------------------------------------------
    hand = browser.new_context(viewport={"width": 375, "height": 740})
    phone = watch(hand.new_page(), "phone", errors)
    phone.goto(join_url)
    screen_reader_view(phone, "welcome (join) page", views)
    keys.tab_to(phone, phone.get_by_role("button", name="I'm happy to take part"))
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Which of these best describes you?")
    screen_reader_view(phone, "role question", views)
    keys.tab_to(phone, phone.get_by_label("Family member", exact=True))
    phone.keyboard.press("Space")
    expect(phone.get_by_label("Family member", exact=True)).to_be_checked()
    keys.tab_to(phone, phone.get_by_role("button", name="Continue"))
    phone.keyboard.press("Enter")
    expect(phone.locator("#receipt-code")).to_be_visible()
    screen_reader_view(phone, "receipt code", views)
    keys.tab_to(phone, phone.get_by_role("link", name="Go to the questions"))
    phone.keyboard.press("Enter")
    expect(phone.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello and welcome")
    screen_reader_view(phone, "questions page", views)

    # --- the facilitator moves on: Space on "Next step", Shift+Tab back, then a step ---------
    keys.tab_to(fac, fac.get_by_role("button", name="Next step"))
    fac.keyboard.press("Space")
    expect(fac.locator("#step-heading")).to_contain_text("Step 2 of", timeout=WAIT)
    expect(phone.locator("#step")).to_have_attribute("data-step", "1", timeout=WAIT)
    expect(fac.get_by_role("button", name="Next step")).to_be_focused()  # focus survives the redraw
    keys.tab_to(fac, fac.get_by_role("button", name="Previous step"), back=True)
    keys.tab_to(fac, fac.locator(f"#ctl-goto-{position}"))
    fac.keyboard.press("Enter")
    expect(fac.locator("#step-heading")).to_contain_text(f"Step {position + 1} of", timeout=WAIT)
    expect(fac.locator("#step-state")).to_contain_text("Answering open")

    # --- the participant answers "only if..." with the keyboard -------------------------------
    expect(phone.locator(".cg-answer-form")).to_have_attribute("data-step", str(position), timeout=WAIT)
    expect(phone.locator("#step-region legend h1")).to_be_focused()  # the new question is read out
    screen_reader_view(phone, "position question", views)
    regions = live_regions(phone)
    assert regions.count("status:polite") >= 2 and "generic:polite" in regions, regions
    keys.tab_to(phone, phone.get_by_label("I can live with this", exact=True))
    phone.keyboard.press("ArrowDown")  # arrows move through a radio group and choose
    only_if = phone.get_by_label("I can live with this, but only if...", exact=True)
    expect(only_if).to_be_checked()
    expect(only_if).to_be_focused()
    expect(phone.locator("#cond-conditions")).to_be_visible()
    keys.tab_to(phone, phone.get_by_label("Only if...", exact=True))
    phone.keyboard.type(CONDITION)
    keys.tab_to(phone, phone.get_by_role("button", name="Send my answer"))
    phone.keyboard.press("Enter")
    status = phone.locator(".cg-answer-form [data-status]")
    expect(status).to_contain_text(SAVED, timeout=WAIT)
    expect(phone.get_by_role("button", name="Change my answer")).to_be_focused()
    assert re.search(r"- status: .*Saved", phone.locator(".cg-answer-form").aria_snapshot())

    # --- the facilitator shows the results -------------------------------------------------
    expect(fac.locator("#answered-count")).to_have_text("1", timeout=WAIT)
    keys.tab_to(fac, fac.get_by_role("button", name="Show results on the big screen"))
    fac.keyboard.press("Enter")
    expect(fac.locator("#step-state")).to_contain_text("Results shown", timeout=WAIT)
    screen_reader_view(fac, "console with results", views)

    with sqlite3.connect(live_server.database) as conn:
        saved: list[Any] = conn.execute(
            "SELECT c.text FROM comment c JOIN response r ON r.id = c.response_id "
            "JOIN workshop_step s ON s.id = r.step_id WHERE s.position = ? AND c.kind = 'condition'",
            (position,),
        ).fetchall()
    assert [row[0] for row in saved] == [CONDITION]

    broken = {where: found for where, found in views.items() if found}
    report = "\n".join(f"{where}: {p}" for where, found in broken.items() for p in found)
    print(f"{keys.stops} Tab stops checked; {len(views)} pages read as a screen reader would")
    assert not keys.problems, "\n".join(keys.problems)
    assert not broken, report
    assert not errors, "\n".join(errors)
    hand.close()
    desk.close()
