"""SURVEY (temporary)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

if __import__("os").environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright")
from playwright.sync_api import Page, expect  # noqa: E402

from cg_browser import (  # noqa: E402
    DESKTOP, PHONE, ZOOM_200, WAIT, axe_violations, describe_axe, join_by_phone, layout_problems, log_in,
    small_targets, structure_problems, set_text_size, live_regions, moving_things, status_messages, watch,
)
from conftest import ROOT, run_live_server  # noqa: E402

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("a11y")
    prompts = folder / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    (prompts / "packs" / "every-type.yaml").write_text(EVERY_TYPE, encoding="utf-8")
    with run_live_server(folder, WORKSHOP_PROMPTS_DIR=str(prompts)) as live:
        yield live


REPORT: dict[str, list[str]] = {}


def audit(page: Page, name: str, kind: str = "participant") -> None:
    problems: list[str] = []
    problems += describe_axe(axe_violations(page))
    marks = ("main",) if kind in ("projector", "paper") else ("banner", "main", "contentinfo")
    problems += structure_problems(page, landmarks=marks)
    size = page.viewport_size
    problems += ["target: " + t for t in small_targets(page)]
    page.set_viewport_size(PHONE)
    problems += ["320: " + p for p in layout_problems(page)]
    if kind == "participant":
        page.set_viewport_size({"width": 360, "height": 740})
        set_text_size(page, 200)
        problems += ["360 text200: " + p for p in layout_problems(page)]
        set_text_size(page, 100)
    page.set_viewport_size(ZOOM_200)
    problems += ["zoom200: " + p for p in layout_problems(page)]
    page.set_viewport_size(size)
    problems += ["motion: " + m for m in moving_things(page)]
    REPORT[name] = problems
    print(f"== {name}: live={live_regions(page)} status={status_messages(page)}")
    for p in problems:
        print("   ", p)


def test_survey(server: Any, browser: Any) -> None:
    errors: list[str] = []
    base = server.base_url
    fac_ctx = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    fac = watch(fac_ctx.new_page(), "facilitator", errors)
    fac.goto(base + "/login")
    audit(fac, "login", "facilitator")
    log_in(fac, base, server.password)
    audit(fac, "index", "facilitator")
    fac.get_by_role("link", name=re.compile("Riverside Council")).first.click()
    audit(fac, "consultation", "facilitator")
    fac.get_by_role("link", name="Set up a workshop").click()
    audit(fac, "new workshop", "facilitator")
    fac.get_by_label("Workshop name").fill("Every type")
    fac.get_by_label("Every kind of question (for tests)").check()
    fac.locator("input[name=use_cases]").first.check()
    fac.get_by_label("Check comments").select_option("pre")
    fac.locator("form button[type=submit]").last.click()
    audit(fac, "workshop", "facilitator")
    join_url = fac.locator("#join-url").get_attribute("href")
    workshop_url = fac.url
    fac.get_by_role("link", name="Open the console").click()
    expect(fac.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT)
    audit(fac, "console ready", "facilitator")

    ph_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, reduced_motion="reduce")
    ph = watch(ph_ctx.new_page(), "phone", errors)
    ph.goto(base + "/")
    audit(ph, "home")
    ph.goto(base + "/glossary")
    audit(ph, "glossary")
    ph.goto(join_url)
    audit(ph, "welcome")
    ph.locator("#consent").click()
    audit(ph, "role")
    ph.get_by_label("Family member", exact=True).check()
    ph.locator("button[type=submit]:not([name])").click()
    audit(ph, "receipt")
    ph.locator("#to-questions").click()
    expect(ph.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
    audit(ph, "live ready")
    fac.get_by_role("button", name="Start the workshop").click()
    expect(ph.locator("h1")).to_have_text("Hello", timeout=WAIT)
    audit(ph, "info step")
    names = ["card", "values", "scale", "choice one", "choice many", "text", "position", "thanks"]
    for i, n in enumerate(names):
        fac.get_by_role("button", name="Next step").click()
        expect(ph.locator("#step")).to_have_attribute("data-step", str(i + 1), timeout=WAIT)
        if n == "card":
            d = ph.locator("details")
            if d.count():
                d.first.locator("summary").click()
        audit(ph, n)
        if n == "position":
            ph.get_by_label("I can live with this, but only if...", exact=True).check()
            ph.get_by_label("Only if...", exact=True).fill("a person checks it")
            ph.get_by_role("button", name="Send my answer").click()
            expect(ph.locator(".cg-answer-form [data-status]")).to_contain_text("Saved", timeout=WAIT)
            audit(ph, "position saved")
            ph.goto(base + "/easy-read/on?next=" + ph.url.split(base)[1])
            audit(ph, "position easy read")
            ph.goto(base + "/easy-read/off?next=" + ph.url.split(base)[1])
            ph_ctx.set_offline(True)
            expect(ph.locator("#connection")).to_contain_text("offline", timeout=WAIT)
            audit(ph, "offline")
            ph_ctx.set_offline(False)
            expect(ph.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
            fac.get_by_role("button", name="Take a break").click()
            expect(ph.locator("h1")).to_have_text("Time for a break", timeout=WAIT)
            audit(ph, "paused")
            fac.get_by_role("button", name="End the break").click()
            expect(ph.locator("h1")).not_to_have_text("Time for a break", timeout=WAIT)
            fac.get_by_role("button", name="Show results on the big screen").click()
            proj_url = fac.get_by_role("link", name=re.compile("Open the projector screen")).get_attribute("href")
            pj_ctx = browser.new_context(viewport={"width": 1366, "height": 768}, reduced_motion="reduce")
            pj = watch(pj_ctx.new_page(), "projector", errors)
            pj.goto(proj_url)
            expect(pj.locator("#projector-results")).to_be_visible(timeout=WAIT)
            audit(pj, "projector", "projector")
        if n == "text":
            ph.get_by_label("Your comment").fill("My son Tom goes to school")
            ph.get_by_role("button", name="Send my answer").click()
            expect(ph.locator(".cg-answer-form [data-status]")).to_contain_text("Saved", timeout=WAIT)
            ph.goto(base + f"/w/{server.join_code}/comments".replace(server.join_code, join_url.rsplit('/', 1)[1]))
            audit(ph, "comments")
            ph.go_back()
    audit(fac, "console live", "facilitator")
    fac.goto(workshop_url + "/moderation")
    audit(fac, "moderation", "facilitator")
    fac.goto(workshop_url.split("/w/")[0] + "/record")
    audit(fac, "record", "facilitator")
    fac.goto(workshop_url.split("/w/")[0] + "/register")
    audit(fac, "register", "facilitator")
    fac.goto(workshop_url.split("/w/")[0] + "/publish")
    audit(fac, "publish", "facilitator")
    fac.goto(workshop_url + "/assisted")
    audit(fac, "assisted start", "facilitator")
    fac.locator("#start-paper").click()
    audit(fac, "assisted enter", "facilitator")
    fac.goto(workshop_url + "/paper")
    audit(fac, "paper", "paper")
    fac.goto(workshop_url + "/console")
    fac.locator("#end-details summary").click()
    fac.get_by_role("button", name="End the workshop now").click()
    expect(ph.locator("h1")).to_have_text("Thank you for taking part", timeout=WAIT)
    audit(ph, "ended")
    audit(pj, "projector ended", "projector")
    ph.goto(base + "/receipt")
    audit(ph, "receipt form")
    print(errors)
