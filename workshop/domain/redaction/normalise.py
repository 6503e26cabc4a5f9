"""Normalise text before it is screened, keeping a map back to the original offsets.

Tricks that would carry a detail past the patterns are undone in a *screening view* of the
text, never in the text that is stored:

* zero-width characters (and soft hyphens) inside a detail are dropped;
* compatibility forms are folded with NFKC, so full-width digits and letters (``０７７``)
  and ligatures read as ordinary ones;
* Cyrillic and Greek letters that look like Latin ones (``а`` for ``a``) are read as the
  Latin letter when they sit in a word that also has Latin letters or digits;
* the letter O typed for a zero inside a number (``O7911``, ``9OO``) is read as 0.

``view.orig(i)`` gives the original offset of view position ``i``; a finding found in the
view is mapped back to the original text, so only the found span is ever replaced and
accents or other scripts outside it stay exactly as written.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["View", "normalise"]

_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f")

# Cyrillic and Greek letters that look like Latin letters.
_LOOKALIKE = {
    **dict(zip("аеорсухіјѕԁһԛԝӏ", "aeopcyxijsdhqwl", strict=True)),
    **dict(zip("АВЕКМНОРСТХУІЈЅ", "ABEKMHOPCTXYIJS", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν", "ABEZHIKMNOPTYXoiv", strict=True)),
}
_WORDISH = re.compile(r"[^\W_]+")
# A run of digits and letter Os with at least one digit: the Os in it are zeros.
_DIGIT_O = re.compile(r"(?<![^\W\d_])[0-9Oo]*\d[0-9Oo]*(?![^\W\d_])|(?<=\d[ -])[Oo]{1,3}(?=[ -]?\d)")
_LETTER_O = re.compile(r"[Oo]")


class View:
    """The screening view of a text: ``text`` plus the original offset of each character."""

    __slots__ = ("_map", "original", "text")

    def __init__(self, original: str, text: str, index: list[int] | None) -> None:
        self.original = original
        self.text = text
        self._map = index

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the view span ``[start, end)``."""
        if self._map is None:
            return start, end
        return self._map[start], self._map[end - 1] + 1


def _fold_o(text: str) -> str:
    """Read the letter O as zero inside numbers (same length, so offsets are kept)."""
    if "o" not in text and "O" not in text:
        return text
    return _DIGIT_O.sub(lambda m: _LETTER_O.sub("0", m.group()), text)


def normalise(text: str) -> View:
    """Return the screening view of ``text``."""
    if text.isascii():
        folded = _fold_o(text) if any(c.isdigit() for c in text) else text
        return View(text, folded, None)
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in _ZERO_WIDTH:
            continue
        folded = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
        for c in folded:
            chars.append(c)
            index.append(i)
    out = "".join(chars)
    if any(c in _LOOKALIKE for c in out):
        out = _WORDISH.sub(_unconfuse, out)
    if any(c.isdigit() for c in out):
        out = _fold_o(out)
    if len(out) != len(index):  # a fold changed the length: fall back to the NFKC text
        out = "".join(chars)
    return View(text, out, index)


def _unconfuse(m: re.Match[str]) -> str:
    word = m.group()
    if not any(c in _LOOKALIKE for c in word):
        return word
    if not any(c.isascii() and c.isalnum() for c in word) and not all(c in _LOOKALIKE for c in word):
        return word  # a word written in another alphabet: leave it alone
    return "".join(_LOOKALIKE.get(c, c) for c in word)
