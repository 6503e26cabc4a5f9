"""The test suite's own rules, checked: one launcher, one factory, one wait, no sleeps, no import tricks.

And the one wait function (tests/support/waits.py) does what it promises: it returns the
condition's value, fails with the sentence it was given and what it saw last, and only ever
pauses between two looks at the condition.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

import tests
from tests.support import WaitTimeout, wait_until, wait_until_async

ROOT = Path(__file__).resolve().parents[2]
SUPPORT = ROOT / "tests" / "support"
HERE = Path(__file__).resolve()


def _suite_files() -> list[Path]:
    """Every Python file of the suite outside tests/support (and not this file, which names the patterns)."""
    return [
        p
        for p in sorted((ROOT / "tests").rglob("*.py"))
        if SUPPORT not in p.parents and p.resolve() != HERE and "__pycache__" not in p.parts
    ]


def _offenders(pattern: str) -> list[str]:
    found = []
    for path in _suite_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_tests_is_this_repositorys_package() -> None:
    # textstat installs a stray top-level ``tests`` package; pytest's pythonpath must put ours first.
    assert Path(tests.__file__).resolve().parent == ROOT / "tests", tests.__file__


def test_every_test_folder_is_a_package() -> None:
    folders = {p.parent for p in (ROOT / "tests").rglob("test_*.py")}
    missing = [str(f.relative_to(ROOT)) for f in sorted(folders) if not (f / "__init__.py").exists()]
    assert not missing, f"add an __init__.py to: {missing}"


# (pattern, what a line matching it is, and what to do instead; a line that breaks the rule for it)
RULES = [
    (
        r"\b(time|asyncio|gevent|socketio)\.sleep\(|\bwait_for_timeout\(",
        "a fixed sleep: wait with tests.support.wait_until",
        "page.wait_for_timeout(500)",
    ),
    (
        r"\bsys\.path\b|spec_from_file_location|\bfrom conftest import|\bimport conftest\b",
        "an import trick: import from tests.support",
        "sys.path.insert(0, str(ROOT))",
    ),
    (r"[\"']run\.py[\"']", "a second server launcher: use tests.support.run_server", "[sys.executable, 'run.py']"),
    (r"\bdef (wait_until|free_port|make_app|csrf_from)\b", "a copy of a tests.support helper", "def wait_until(page):"),
]


@pytest.mark.parametrize(("pattern", "why", "example"), RULES, ids=[r[1].split(":")[0] for r in RULES])
def test_suite_keeps_to_tests_support(pattern: str, why: str, example: str) -> None:
    assert re.search(pattern, example), "the rule does not even catch its own example"
    found = _offenders(pattern)
    assert not found, f"{why}:\n" + "\n".join(found)


# --- the wait function ---------------------------------------------------------------------


def test_wait_until_returns_the_conditions_value() -> None:
    seen = []

    def third_time() -> str | None:
        seen.append(1)
        return "ready" if len(seen) >= 3 else None

    assert wait_until(third_time, 5, "it is ready", pause=lambda s: None) == "ready"
    assert len(seen) == 3


def test_wait_until_fails_with_the_message_and_what_it_saw() -> None:
    start = time.monotonic()
    with pytest.raises(WaitTimeout) as failure:
        wait_until(lambda: False, 0.2, "the answer is saved", last=lambda: "Sending…")
    assert time.monotonic() - start >= 0.2
    text = str(failure.value)
    assert "the answer is saved" in text and "Sending…" in text and "0.2 s" in text
    assert isinstance(failure.value, AssertionError)  # reported by pytest as a failure


def test_wait_until_looks_once_more_at_the_deadline() -> None:
    looks = []
    pauses: list[float] = []

    def late() -> bool:
        looks.append(time.monotonic())
        return len(looks) == 2

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(0.06)  # longer than the whole timeout: the second look is after the deadline

    assert wait_until(late, 0.05, "it happens", pause=pause) is True
    assert len(pauses) == 1 and pauses[0] <= 0.05


def test_wait_until_async_wakes_on_the_event() -> None:
    async def scenario() -> str:
        changed = asyncio.Event()
        box: list[str] = []

        async def later() -> None:
            await asyncio.sleep(0)
            box.append("tally")
            changed.set()

        task = asyncio.create_task(later())
        value = await wait_until_async(lambda: box[-1] if box else None, 5, "a tally arrives", changed=changed)
        await task
        return value

    assert asyncio.run(scenario()) == "tally"


def test_wait_until_async_fails_with_the_message() -> None:
    with pytest.raises(WaitTimeout, match="a tally with six answers"):
        asyncio.run(wait_until_async(lambda: None, 0.1, "a tally with six answers", changed=asyncio.Event()))
