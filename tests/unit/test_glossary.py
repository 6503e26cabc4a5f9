"""Glossary words found in card text."""

from __future__ import annotations

from workshop.domain.glossary import terms_in

GLOSSARY = [
    ("Algorithm", "Steps."),
    ("Artificial intelligence (AI)", "Programs."),
    ("Risk score", "A number."),
    ("Bias", "Unfair."),
]


def test_finds_terms_plurals_and_abbreviations() -> None:
    found = terms_in(["The council uses algorithms and AI to give a risk-score."], GLOSSARY)
    assert [t for t, _ in found] == ["Algorithm", "Artificial intelligence (AI)", "Risk score"]


def test_ignores_words_inside_other_words_and_lowercase_abbreviations() -> None:
    assert terms_in(["We said hi to the aide about biased... no, unbiased views."], GLOSSARY) == []
    assert terms_in(["", "nothing here"], GLOSSARY) == []
