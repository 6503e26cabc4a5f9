"""Names from the facilitator's list: a trie-shaped regex built once per list."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .base import _COMMON_WORDS, _TITLES, _WORD_TOKEN, _strip_accents


class _Trie:
    __slots__ = ("children", "end")

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.end = False

    def add(self, atoms: list[str]) -> None:
        node = self
        for atom in atoms:
            node = node.children.setdefault(atom, _Trie())
        node.end = True

    def pattern(self) -> str:
        alts = [atom + child.pattern() for atom, child in sorted(self.children.items())]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if self.end:
            # Greedy optional: prefer the longer name, fall back to the shorter.
            return "(?:" + body + ")?"
        return body


_NAME_TOKEN = re.compile(r"[^\W_]+|['’]|-|\s+|.", re.DOTALL)


def _name_atoms(name: str, capital_first: bool) -> list[str]:
    """Split a name into regex atoms: one per character, flexible spaces and apostrophes."""
    atoms: list[str] = []
    prev_word = ""
    for tok in _NAME_TOKEN.findall(name):
        if tok.isspace():
            atoms.append(r"\.?\s+" if prev_word.casefold() in _TITLES else r"\s+")
        elif tok in ("'", "’"):
            atoms.append("['’]")
        elif tok == "-":
            atoms.append(r"(?:\s*[-‐–]\s*|\s+)")
        elif tok[0].isalnum() or tok[0] == "_":
            for i, ch in enumerate(tok):
                if capital_first and not atoms and i == 0:
                    atoms.append(f"(?-i:{re.escape(ch.upper())})")
                else:
                    atoms.append(re.escape(ch.lower()))
            prev_word = tok
            continue
        else:
            atoms.append(re.escape(tok))
        prev_word = ""
    return atoms


def _name_variants(raw: str) -> set[str]:
    """The list entry, its accent-free spelling, and the surname after a title."""
    name = " ".join(raw.split()).strip(" .,;:!?\"'()[]")
    if len(name) < 2 or not any(c.isalpha() for c in name):
        return set()
    out = {unicodedata.normalize("NFC", name), _strip_accents(name)}
    words = name.split(" ")
    if len(words) >= 2 and words[0].rstrip(".").casefold() in _TITLES:
        rest = " ".join(words[1:])
        if len(rest) >= 2:
            out.add(rest)
            out.add(_strip_accents(rest))
    return {v for v in out if len(v) >= 2}


def _compile_names(names: Iterable[str]) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    """The names regex, and the lower-cased first words that make it worth running."""
    trie = _Trie()
    first_words: set[str] = set()
    for raw in names:
        if not isinstance(raw, str):
            continue
        for variant in _name_variants(raw):
            single = " " not in variant and "-" not in variant
            capital_first = single and variant.casefold() in _COMMON_WORDS
            trie.add(_name_atoms(variant, capital_first))
            first = _WORD_TOKEN.findall(variant)
            if first:
                w = first[0].lower()
                first_words.update((w, w + "s"))
    if not first_words:
        return None, frozenset()
    body = trie.pattern()
    # Possessive without an apostrophe ("Jaydens") is absorbed; with one it stays outside.
    pattern = re.compile(rf"(?<![\w])(?:{body})s?(?![\w])", re.IGNORECASE)
    return pattern, frozenset(first_words)
