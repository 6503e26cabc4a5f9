"""Welsh is complete: every participant-facing string, and every step of the default pack.

Participant pages are translated with gettext (``workshop/translations``): the English text
is extracted from the files named in ``babel.cfg`` and filled from ``cy_strings.CY`` by
``python -m workshop.translations.build``. These tests fail when someone adds an English
string and forgets its Welsh, or forgets to run the build, so nothing reaches a Welsh
reader half-translated. The default pack's wording is translated in the pack file itself
(``translations: cy:``), and the same rule holds there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from workshop.library import load_library
from workshop.translations.build import extract
from workshop.translations.cy_strings import CY

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "workshop" / "translations"
PO = HERE / "cy" / "LC_MESSAGES" / "messages.po"
MO = HERE / "cy" / "LC_MESSAGES" / "messages.mo"


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id for m in catalog if m.id}


@pytest.fixture(scope="module")
def po() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="cy")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """Extract the participant strings afresh, exactly as the build does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    extract(pot)
    with pot.open("rb") as fh:
        return read_po(fh)


def test_the_catalogue_is_up_to_date_with_the_code(po: Catalog, extracted: Catalog) -> None:
    missing = sorted(map(str, _ids(extracted) - _ids(po)))
    stale = sorted(map(str, _ids(po) - _ids(extracted)))
    build = "run python -m workshop.translations.build"
    assert not missing, f"strings in the code but not in messages.po ({build}): {missing}"
    assert not stale, f"strings in messages.po no longer in the code ({build}): {stale}"
    assert len(_ids(po)) > 100  # the extraction really read the templates


def test_every_participant_string_has_welsh(po: Catalog) -> None:
    empty = []
    for message in po:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(f and f.strip() for f in forms):
            empty.append(message.id)
    assert not empty, f"no Welsh for: {empty}"


def test_welsh_keeps_the_placeholders(po: Catalog) -> None:
    """A "%(n)s" in the English must be in the Welsh too, or the page would break."""
    import re

    wrong = []
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)s", ids[0]))
        wrong += [f for f in forms if set(re.findall(r"%\(\w+\)s", f)) != wanted]
    assert not wrong, wrong


def test_the_compiled_catalogue_matches_the_po_file(po: Catalog) -> None:
    with MO.open("rb") as fh:
        mo = read_mo(fh)

    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, (list, tuple)) else value

    assert {plain(m.id): plain(m.string) for m in mo if m.id} == {plain(m.id): plain(m.string) for m in po if m.id}


def test_every_welsh_string_is_used() -> None:
    """cy_strings.CY holds no Welsh for English that no page shows any more."""
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="cy")
    used: set[str] = set()
    for message in catalog:
        used.update(message.id if isinstance(message.id, tuple) else (message.id,))
    unused = sorted(set(CY) - used)
    assert not unused, f"Welsh for strings no page uses (remove them from cy_strings.py): {unused}"


DEFAULT_PACK = load_library(ROOT / "prompts").default_pack
STEPS = [s for s in DEFAULT_PACK.all_steps()]


def test_the_default_pack_is_the_three_tier_review() -> None:
    assert DEFAULT_PACK.id == "three-tier"


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_every_step_of_the_default_pack_has_welsh(step) -> None:  # noqa: ANN001 - a pack Step
    welsh = DEFAULT_PACK.translations_for(step.id).get("cy", {})
    for name in ("title", "text", "question"):
        if getattr(step, name):
            assert welsh.get(name, "").strip(), f"{step.id}: no Welsh {name}"
            assert welsh[name] != getattr(step, name), f"{step.id}: the Welsh {name} is the English"
    if step.labels:
        assert len(welsh.get("labels", [])) == len(step.labels), f"{step.id}: not every label has Welsh"
    if step.options:
        keys = {key for key, _label in step.options}
        assert set(welsh.get("options", {})) == keys, f"{step.id}: not every option has Welsh"
