"""Shared helpers for the accessibility, keyboard, Welsh and page-weight browser tests.

Every check runs in the real page: axe-core is injected over the DevTools protocol
(``page.evaluate``), which the Content-Security-Policy does not govern; Playwright's
``wait_for_function`` is not used because it needs ``eval`` inside the page, which our CSP
forbids. Waiting is on a condition (``expect``, or ``tests.support.wait_until`` with
``pause=in_page(page)``), never a fixed sleep.

What each check measures, and why (docs/accessibility.md says the same for people):

- ``axe_violations``: axe-core 4.14 with the WCAG 2.0/2.1/2.2 A and AA tags.
- ``layout_problems``: no sideways page scroll; no text box whose content is wider than the
  box (``scrollWidth > clientWidth``), and nothing sticking out past the right edge.
- ``small_targets``: every button, every link that is not part of a sentence, and every
  radio or checkbox (its input and its label together) is at least 44 by 44 CSS pixels.
  Links inside running text are exempt, as WCAG 2.5.8 and the GOV.UK Design System allow:
  making them bigger would break up the sentence they are in.
- ``structure_problems``: through the browser's accessibility tree (what a screen reader
  reads): one level-1 heading, the banner, main and contentinfo landmarks, and a name on
  every form control, button and link.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WAIT = 20_000  # ms: the longest any single thing may take to show up, on a busy machine
# What the phone's script shows once the server has acknowledged an answer (not the no-JavaScript
# page's "Your answer is saved..." after a reload).
SAVED = "Saved. You can change your answer until the question closes."
MIN_TARGET = 44  # CSS pixels, both ways

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
# Browser zoom at 200% on a 1280 x 800 window lays the page out in 640 x 400 CSS pixels,
# each drawn with 2 x 2 device pixels: the same as this viewport with device_scale_factor=2.
ZOOM_200 = {"width": 640, "height": 400}


def ready_to_answer(page: Page, position: int | None = None) -> None:
    """Wait until the phone's script is connected (and shows the step at ``position``).

    Until then "Send my answer" is a plain form post: the page reloads with the
    no-JavaScript wording, and the script's "Saved" never shows. A test that answers
    before this would wait for the wrong confirmation whenever the machine is busy.
    """
    expect(page.locator("#phone")).to_have_attribute("data-live", "yes", timeout=WAIT)
    if position is not None:
        expect(page.locator(".cg-answer-form")).to_have_attribute("data-step", str(position), timeout=WAIT)


def watch(
    page: Page,
    name: str,
    errors: list[str],
    expected: tuple[tuple[int, str], ...] = (),
    console_ok: tuple[str, ...] = (),
) -> Page:
    """Collect script errors and failed requests, so a broken page fails the test.

    ``expected`` lists (status, path) answers the test provokes on purpose, such as a wrong
    password; ``console_ok`` lists browser complaints that are expected (going offline).
    """

    def console(msg: Any) -> None:
        if msg.type != "error" or msg.text.startswith("Failed to load resource: the server responded"):
            return  # a failed response is reported once, below, with its address
        if not any(ok in msg.text for ok in console_ok):
            errors.append(f"{name}: console error: {msg.text}")

    def response(r: Any) -> None:
        if r.status >= 400 and (r.status, urlsplit(r.url).path) not in expected:
            errors.append(f"{name}: HTTP {r.status} {r.url}")

    page.on("pageerror", lambda exc: errors.append(f"{name}: script error: {exc}"))
    page.on("console", console)
    page.on("response", response)
    return page


# --- facilitator and participant journeys (by pointer: the keyboard test has its own) ----


def log_in(page: Page, base: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Name").fill("demo")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consultations")


def join_by_phone(page: Page, join_url: str, role: str | None = "Family member") -> str:
    """Join, give consent, choose a role (or skip), note the receipt code, go to the questions."""
    page.goto(join_url)
    page.locator("#consent").click()
    expect(page.locator("input[name=role]").first).to_be_visible()
    if role:
        page.get_by_label(role, exact=True).check()
        page.locator("button[type=submit]:not([name])").click()
    else:
        page.locator("button[name=role]").click()
    receipt = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", receipt), receipt
    page.locator("#to-questions").click()
    return receipt


# --- checks -------------------------------------------------------------------------------


def axe_violations(page: Page, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core in the page (injected over the DevTools protocol, so CSP does not block it)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    options = {"runOnly": {"type": "tag", "values": tags or AXE_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("options => window.axe.run(document, options)", options)
    return list(result["violations"])


def describe_axe(violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"axe {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:4]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return lines


_LAYOUT_JS = """
() => {
  const out = []
  const root = document.documentElement
  const vw = root.clientWidth
  if (root.scrollWidth > vw + 1) {
    out.push('the page scrolls sideways: ' + root.scrollWidth + 'px of content in ' + vw + 'px')
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"'
  const inline = (el) => ['inline', 'contents'].includes(getComputedStyle(el).display)
  const blockOf = (el) => { while (el.parentElement && inline(el)) el = el.parentElement; return el }
  const scroller = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return e
    }
    return null
  }
  const skip = '.govuk-visually-hidden, .govuk-skip-link, [hidden], script, style, noscript, svg, template'
  const reported = new Set()
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  while (walker.nextNode()) {
    const text = walker.currentNode
    const parent = text.parentElement
    if (!text.textContent.trim() || !parent || parent.closest(skip)) continue
    const range = document.createRange()
    range.selectNodeContents(text)
    const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0)
    const block = blockOf(parent)
    if (!rects.length || reported.has(block)) continue
    const box = block.getBoundingClientRect()
    const scrolls = scroller(block) // text in a box that scrolls (a wide table) can still be reached
    for (const r of rects) {
      if (!scrolls && (r.right > vw + 1 || r.left < -1)) {
        out.push(name(block) + ': text runs off the page (' + Math.round(r.left) + ' to ' +
          Math.round(r.right) + ' of ' + vw + ')')
      } else if (r.right > box.right + 1 || r.left < box.left - 1) {
        out.push(name(block) + ': text spills out of its box (' + Math.round(r.right) + ' > ' +
          Math.round(box.right) + ')')
      } else continue
      reported.add(block)
      break
    }
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest(skip)) continue
    const o = getComputedStyle(el).overflowX
    if ((o === 'hidden' || o === 'clip') && el.scrollWidth > el.clientWidth + 1 && el.textContent.trim())
      out.push(name(el) + ': hides ' + (el.scrollWidth - el.clientWidth) + 'px of its content')
  }
  return out
}
"""


def layout_problems(page: Page) -> list[str]:
    """Sideways scrolling, clipped text or content past the right edge, at the current size."""
    return list(page.evaluate(_LAYOUT_JS))


_TARGETS_JS = """
(min) => {
  const out = []
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' +
    (el.textContent || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"'
  const shown = (el) => {
    const r = el.getBoundingClientRect()
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
  }
  // A link is part of a sentence when the block around it has words of its own.
  const inSentence = (a) => {
    const block = a.parentElement.closest('p, li, dd, dt, td, th, div, label, legend')
    if (!block) return false
    const copy = block.cloneNode(true)
    copy.querySelectorAll('a, button, .govuk-visually-hidden').forEach((x) => x.remove())
    return /\\p{L}{2,}/u.test(copy.textContent)
  }
  // The area that takes a press: the box, plus an absolutely placed ::before that GOV.UK
  // buttons use to make their shadow pressable too.
  const hitBox = (el) => {
    const r = el.getBoundingClientRect()
    const box = { top: r.top, bottom: r.bottom, left: r.left, right: r.right }
    const b = getComputedStyle(el, '::before')
    if (b.content !== 'none' && b.position === 'absolute' && getComputedStyle(el).position !== 'static') {
      const cs = getComputedStyle(el)
      const px = (v) => (v.endsWith('px') ? parseFloat(v) : NaN)
      const [t, bo, l, ri] = [px(b.top), px(b.bottom), px(b.left), px(b.right)]
      if (!isNaN(t)) box.top = Math.min(box.top, r.top + parseFloat(cs.borderTopWidth) + t)
      if (!isNaN(bo)) box.bottom = Math.max(box.bottom, r.bottom - parseFloat(cs.borderBottomWidth) - bo)
      if (!isNaN(l)) box.left = Math.min(box.left, r.left + parseFloat(cs.borderLeftWidth) + l)
      if (!isNaN(ri)) box.right = Math.max(box.right, r.right - parseFloat(cs.borderRightWidth) - ri)
    }
    return { width: box.right - box.left, height: box.bottom - box.top }
  }
  const seen = new Set()
  for (const el of document.querySelectorAll('a[href], button, summary, input[type=radio], input[type=checkbox]')) {
    if (el.closest('.govuk-skip-link') || !shown(el)) continue
    const item = el.matches('input') ? (el.closest('.govuk-radios__item, .govuk-checkboxes__item') || el) : el
    if (seen.has(item)) continue
    seen.add(item)
    if (el.matches('a') && inSentence(el)) continue
    const r = hitBox(item)
    const size = (b) => Math.round(b.width) + ' x ' + Math.round(b.height)
    if (r.width < min - 0.5 || r.height < min - 0.5) out.push(name(item) + ' is ' + size(r))
    if (el.matches('input')) {
      const i = el.getBoundingClientRect()
      if (i.width < min - 0.5 || i.height < min - 0.5) out.push(name(item) + ': its input is ' + size(i))
    }
  }
  return out
}
"""


def small_targets(page: Page) -> list[str]:
    """Controls smaller than 44 x 44 CSS pixels (links inside sentences are exempt)."""
    return list(page.evaluate(_TARGETS_JS, MIN_TARGET))


def ax_tree(page: Page) -> list[dict[str, Any]]:
    """The browser's own accessibility tree: what a screen reader is given."""
    session = page.context.new_cdp_session(page)
    try:
        return list(session.send("Accessibility.getFullAXTree")["nodes"])
    finally:
        session.detach()


def _prop(node: dict[str, Any], name: str) -> Any:
    for p in node.get("properties", []):
        if p["name"] == name:
            return p["value"].get("value")
    return None


def live_regions(page: Page) -> list[str]:
    """Names of the live regions (aria-live, role=status/alert) screen readers will announce."""
    found = []
    for node in ax_tree(page):
        live = _prop(node, "live")
        if live and live != "off":
            role = node.get("role", {}).get("value", "")
            found.append(f"{role}:{live}")
    return found


NAMED_ROLES = {"button", "link", "textbox", "radio", "checkbox", "combobox", "listbox", "spinbutton", "slider"}


def structure_problems(page: Page, *, landmarks: tuple[str, ...] = ("banner", "main", "contentinfo")) -> list[str]:
    """One h1, the page's landmarks, and a name on every control, from the accessibility tree."""
    problems = []
    nodes = [n for n in ax_tree(page) if not n.get("ignored")]
    roles = [n.get("role", {}).get("value", "") for n in nodes]
    h1 = [n for n in nodes if n.get("role", {}).get("value") == "heading" and _prop(n, "level") == 1]
    if len(h1) != 1:
        problems.append(f"{len(h1)} level-1 headings (want exactly one)")
    for landmark in landmarks:
        if landmark not in roles:
            problems.append(f"no {landmark} landmark")
    for n in nodes:
        role = n.get("role", {}).get("value", "")
        if role in NAMED_ROLES and not (n.get("name", {}).get("value") or "").strip():
            problems.append(f"a {role} has no name a screen reader can read")
    return problems


def aria_snapshot(page: Page) -> str:
    """Playwright's YAML view of the accessibility tree (kept in failure messages)."""
    return page.locator("body").aria_snapshot()


_MOTION_JS = """
() => {
  const out = []
  const secs = (v) => Math.max(...v.split(',').map((x) => parseFloat(x) * (x.trim().endsWith('ms') ? 0.001 : 1)))
  const moving = 'a, button, input, textarea, select, summary, details, .govuk-radios__label, ' +
    '.govuk-checkboxes__label, .cg-option-card, .cg-status'
  for (const el of document.querySelectorAll(moving)) {
    for (const pseudo of [null, '::before', '::after']) {
      const cs = getComputedStyle(el, pseudo)
      const t = secs(cs.transitionDuration || '0s')
      const a = cs.animationName !== 'none' ? secs(cs.animationDuration || '0s') : 0
      if (t > 0 || a > 0) out.push(el.tagName.toLowerCase() + (pseudo || '') + ' moves for ' + Math.max(t, a) + 's')
    }
  }
  return out
}
"""


def moving_things(page: Page) -> list[str]:
    """Interactive elements with a transition or animation longer than zero."""
    return list(page.evaluate(_MOTION_JS))


_STATUS_JS = """
() => Array.from(document.querySelectorAll('.cg-status, #connection, #status')).filter((el) => {
  const r = el.getBoundingClientRect()
  return r.width > 0 && r.height > 0
}).map((el) => ({
  id: el.id || el.className,
  text: (el.textContent || '').trim(),
  icon: getComputedStyle(el, '::before').content,
  kind: Array.from(el.classList).filter((c) => c.startsWith('cg-status--')).join(' ')
}))
"""


def status_messages(page: Page) -> list[dict[str, str]]:
    """Visible status messages: their words, and the icon drawn before them."""
    return list(page.evaluate(_STATUS_JS))


def set_text_size(page: Page, percent: int) -> None:
    """Make text bigger the way a browser's text-size setting does: the root font size.

    Set through the CSS object model, which the Content-Security-Policy allows (it blocks
    style attributes in the HTML, not scripts changing styles).
    """
    page.evaluate("p => { document.documentElement.style.fontSize = p === 100 ? '' : p + '%' }", percent)


LANDMARKS = ("banner", "navigation", "main", "contentinfo", "complementary", "region", "search", "form")
CONTROLS = ("textbox", "radio", "checkbox", "combobox", "button", "link", "spinbutton", "slider", "listbox")


def snapshot_problems(page: Page, *, landmarks: tuple[str, ...] = ("banner", "main", "contentinfo")) -> list[str]:
    """Read the page as Playwright's ARIA snapshot gives it (a screen reader's view).

    One level-1 heading; the expected landmarks; nothing outside a landmark but the skip
    link (a screen-reader user jumping between landmarks would miss it); and a name on every
    control.
    """
    # A line whose text holds a colon is quoted as a whole in YAML: - 'heading "A: b" [level=1]'
    lines = [
        re.sub(r"^(\s*- )'(.*)'(:?)$", r"\1\2\3", line).replace("''", "'") for line in aria_snapshot(page).splitlines()
    ]
    problems = []
    h1 = [line for line in lines if re.match(r"\s*- heading .*\[level=1\]", line)]
    if len(h1) != 1:
        problems.append(f"{len(h1)} level-1 headings (want one): {h1}")
    top = [line for line in lines if line.startswith("- ")]
    for landmark in landmarks:
        if not any(re.match(rf"- {landmark}\b", line) for line in top):
            problems.append(f"no {landmark} landmark")
    for line in top:
        role = line[2:].split(" ", 1)[0].rstrip(":")
        if role not in LANDMARKS and not line.startswith('- link "Skip to main content"'):
            problems.append(f"outside every landmark: {line.strip()}")
    for line in lines:
        found = re.match(rf"\s*- ({'|'.join(CONTROLS)})\b(.*)", line)
        if found and not found.group(2).lstrip().startswith('"'):
            problems.append(f"a {found.group(1)} with no name: {line.strip()}")
    return problems


def new_workshop(
    fac: Page,
    consultation_url: str,
    title: str,
    pack: str = "Three-tier ethics review",
    protection: str = "No check: anyone with the join code",
) -> dict[str, str]:
    """Set up a workshop on one card through the facilitator's pages; return its addresses.

    ``protection`` is the start of a "How people prove they may join" choice: by default no
    check, so phones join with the plain join link (tests/browser/test_one_voice.py tests the others).
    """
    fac.goto(consultation_url)
    fac.get_by_role("link", name="Set up a workshop").click()
    fac.get_by_label("Workshop name").fill(title)
    fac.get_by_label(pack).check()
    cards = fac.locator("input[name=use_cases]")
    for n in range(cards.count()):  # one card: the same steps again for each would add nothing
        cards.nth(n).set_checked(n == 0)
    fac.get_by_label(re.compile("^" + re.escape(protection))).check()
    fac.get_by_role("button", name="Create workshop").click()
    expect(fac.get_by_role("heading", level=1)).to_have_text(title)
    kinds = fac.locator(".cg-step-list > li").evaluate_all(
        "items => items.map(li => ((li.querySelector('.govuk-tag') || {}).textContent || '').trim())"
    )
    return {
        "workshop": fac.url,
        "console": fac.url + "/console",
        "join": fac.locator("#join-url").get_attribute("href") or "",
        "projector": fac.locator("#open-projector").get_attribute("href") or "",
        "kinds": ",".join(kinds),
    }


def open_console(fac: Page, url: str) -> None:
    fac.goto(url)
    expect(fac.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT)


def go_to_step(fac: Page, position: int) -> None:
    """Press the console's button for a step, and wait until the console shows it."""
    if fac.locator("#ctl-start").count():
        fac.locator("#ctl-start").click()
        expect(fac.locator("#step-state")).to_contain_text("Running", timeout=WAIT)
    if not fac.locator("#step-heading").inner_text().startswith(f"Step {position + 1} of"):
        fac.locator(f"#ctl-goto-{position}").click()
    expect(fac.locator("#step-heading")).to_contain_text(f"Step {position + 1} of", timeout=WAIT)
