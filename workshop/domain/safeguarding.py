"""Spot comments that may disclose harm, so they are kept off the projector.

A comment such as "my dad hits me" or "I want to kill myself" must never be shown to the
room; the facilitator is alerted privately instead. This module only decides whether a
comment *may* be a disclosure, and of what kind. What happens next (holding the comment,
the private alert, the guidance and the message to the participant) is the app's job.

The rules are data, not code. They live in ``prompts/safeguarding.yaml``::

    version: 1
    terms:                       # optional, reusable pieces of regex
      victim: '(?:me|us|my\\s+(?:son|daughter))'
    categories:
      - category: physical harm
        phrases: ["beat me up"]              # plain text
        patterns: ['\\bhits?\\s+{{victim}}\\b']   # regular expressions
    guidance: |
      ...
    participant_message: |
      ...

and a facilitator can add plain phrases for a workshop (:func:`rules_from_phrases`).

How matching works:

* Case is ignored, apostrophes are removed from the comment before matching, so
  "don't", "don’t" and "dont" are the same, and runs of spaces or line breaks become
  one space. Write patterns without apostrophes ("dont",
  "shes"); a pattern that contains one is refused, because it could never match.
  Phrases have their apostrophes removed for you.
* A phrase matches on word boundaries; spaces in it match any run of spaces, and a
  hyphen matches a hyphen, a space or nothing ("self-harm", "self harm", "selfharm").
* ``{{name}}`` in a pattern is replaced by the term ``name`` from ``terms`` (wrapped in a
  non-capturing group). Double braces never occur in ordinary regular expressions.
* Speed: most comments match nothing, so each rule gets a cheap pre-check. When the checker
  is built, each pattern's parse tree is read to find literal strings of which at least
  one must occur in any match (for "{{abuser}} ... (hits|punches) ..." that is the verbs).
  A comment is scanned once for all such strings, and only rules whose strings occur are
  run. This is exact: it never skips a rule that could match.
* Every pattern is compiled once, when the checker is built. A pattern that is not a
  valid regular expression, or that would match an empty comment (and so flag
  everything), is refused with a plain-English :class:`ValueError` naming the entry.

The rules aim for high recall on first- and third-person disclosures, and avoid general
talk about policy ("risk of abuse is hard to predict", "child protection plan"). A false
alarm costs a facilitator a glance; a missed disclosure could cost much more.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "FACILITATOR_CATEGORY",
    "Rule",
    "SafeguardingChecker",
    "SafeguardingResult",
    "normalise",
    "parse_rules",
    "phrase_pattern",
    "rules_from_phrases",
]

FACILITATOR_CATEGORY = "added by facilitator"

_APOSTROPHES = str.maketrans("", "", "'’‘ʼ`´")
_TERM_REF = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_PHRASE_PIECE = re.compile(r"\s+|-+|[^\s-]+")


@dataclass(frozen=True)
class Rule:
    """One phrase or regular expression, and the kind of harm it suggests."""

    category: str
    pattern: str
    is_regex: bool = False


@dataclass(frozen=True)
class SafeguardingResult:
    """Whether a comment may disclose harm, and which kinds (distinct, sorted)."""

    flagged: bool
    categories: tuple[str, ...]


NOT_FLAGGED = SafeguardingResult(False, ())


def normalise(text: str) -> str:
    """The form of a comment that rules are matched against.

    Apostrophes are removed and every run of whitespace becomes one space.
    """
    return " ".join(text.translate(_APOSTROPHES).split())


def phrase_pattern(phrase: str) -> str:
    """The regular expression for a plain phrase (see the module docstring)."""
    pieces: list[str] = []
    for piece in _PHRASE_PIECE.findall(normalise(phrase).strip()):
        if piece.isspace():
            pieces.append(r"\s+")
        elif piece.startswith("-"):
            pieces.append(r"[\s-]*")
        else:
            pieces.append(re.escape(piece))
    body = "".join(pieces)
    if not body:
        return ""
    start = r"\b" if normalise(phrase).strip()[0].isalnum() else r"(?<!\w)"
    end = r"\b" if normalise(phrase).strip()[-1].isalnum() else r"(?!\w)"
    return f"{start}{body}{end}"


def _describe(index: int, category: object) -> str:
    if isinstance(category, str) and category.strip():
        return f"category {index} ('{category.strip()}')"
    return f"category {index}"


def _expand_terms(pattern: str, terms: Mapping[str, str], where: str) -> str:
    def replace(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in terms:
            known = ", ".join(sorted(terms)) or "none are defined"
            raise ValueError(
                f"Safeguarding rules: {where} uses the term {{{{{name}}}}}, which is not defined ({known})."
            )
        return f"(?:{terms[name]})"

    return _TERM_REF.sub(replace, pattern)


def _check_regex(pattern: str, where: str) -> None:
    if "'" in pattern or "’" in pattern:
        raise ValueError(
            f"Safeguarding rules: {where} contains an apostrophe: {pattern!r}. Comments are matched with "
            "apostrophes removed (don't becomes dont), so write the pattern without them."
        )
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"Safeguarding rules: {where} is not a valid regular expression ({exc}): {pattern!r}") from exc
    if compiled.search("") is not None:
        raise ValueError(
            f"Safeguarding rules: {where} matches an empty comment, so it would flag every comment: {pattern!r}"
        )


def _string_list(value: object, where: str, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list):
        raise ValueError(f"Safeguarding rules: {where} '{what}' must be a list of text, one entry per line.")
    out: list[str] = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"Safeguarding rules: {where}, {what[:-1]} {i} must be non-empty text, not {item!r}.")
        out.append(item)
    return out


def parse_rules(data: Mapping[str, object]) -> list[Rule]:
    """Read rules from the structure of ``prompts/safeguarding.yaml`` (already loaded).

    Raises ValueError, with a message that names the bad entry, if anything is wrong.
    """
    if not isinstance(data, Mapping):
        raise ValueError("Safeguarding rules: the file must hold a mapping with a 'categories' list.")
    version = data.get("version", 1)
    if version != 1:
        raise ValueError(f"Safeguarding rules: version {version!r} is not supported (this app reads version 1).")

    raw_terms = data.get("terms") or {}
    if not isinstance(raw_terms, Mapping):
        raise ValueError("Safeguarding rules: 'terms' must be a mapping of name: regular expression.")
    terms: dict[str, str] = {}
    for name, value in raw_terms.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"Safeguarding rules: the term name {name!r} must be letters, digits or underscores.")
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"Safeguarding rules: the term '{name}' must be a non-empty regular expression.")
        terms[name] = value
    # Terms may use other terms; expand them in the order they are used.
    for name in list(terms):
        for _ in range(10):
            expanded = _expand_terms(terms[name], terms, f"the term '{name}'")
            if expanded == terms[name]:
                break
            terms[name] = expanded
        else:
            raise ValueError(f"Safeguarding rules: the term '{name}' refers to itself.")
    for name, value in terms.items():
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(
                f"Safeguarding rules: the term '{name}' is not a valid regular expression ({exc}): {value!r}"
            ) from exc

    categories = data.get("categories")
    if not isinstance(categories, list) or not categories:
        raise ValueError("Safeguarding rules: 'categories' must be a non-empty list.")
    rules: list[Rule] = []
    for index, entry in enumerate(categories, start=1):
        if not isinstance(entry, Mapping):
            raise ValueError(f"Safeguarding rules: category {index} must be a mapping with 'category', 'phrases'.")
        name = entry.get("category")
        where = _describe(index, name)
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"Safeguarding rules: {where} needs a 'category' name.")
        unknown = set(entry) - {"category", "phrases", "patterns", "notes"}
        if unknown:
            raise ValueError(f"Safeguarding rules: {where} has unknown keys: {', '.join(sorted(map(str, unknown)))}.")
        phrases = _string_list(entry.get("phrases"), where, "phrases")
        patterns = _string_list(entry.get("patterns"), where, "patterns")
        if not phrases and not patterns:
            raise ValueError(f"Safeguarding rules: {where} has no phrases or patterns.")
        category = name.strip()
        for i, phrase in enumerate(phrases, start=1):
            if not phrase_pattern(phrase):
                raise ValueError(f"Safeguarding rules: {where}, phrase {i} has nothing to match: {phrase!r}")
            rules.append(Rule(category, phrase.strip(), False))
        for i, pattern in enumerate(patterns, start=1):
            full = _expand_terms(pattern, terms, f"{where}, pattern {i}")
            _check_regex(full, f"{where}, pattern {i}")
            rules.append(Rule(category, full, True))
    return rules


def rules_from_phrases(phrases: Iterable[str], category: str = FACILITATOR_CATEGORY) -> list[Rule]:
    """Rules for plain phrases a facilitator added (blank lines are skipped)."""
    return [Rule(category, p.strip(), False) for p in phrases if isinstance(p, str) and phrase_pattern(p)]


class SafeguardingChecker:
    """Checks comments against a fixed set of rules, compiled once."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        by_category: dict[str, list[tuple[frozenset[str] | None, re.Pattern[str]]]] = {}
        for n, rule in enumerate(rules, start=1):
            if rule.is_regex:
                _check_regex(rule.pattern, f"rule {n} ({rule.category})")
                source = rule.pattern
            else:
                source = phrase_pattern(rule.pattern)
                if not source:
                    continue
            compiled = re.compile(source, re.IGNORECASE)
            by_category.setdefault(rule.category, []).append((_required_strings(compiled), compiled))
        self._checks = sorted(by_category.items())
        strings = {s for _, rules_ in self._checks for gate, _ in rules_ if gate for s in gate}
        # Each string found also counts as finding every shorter string it starts with.
        self._prefixes = {s: frozenset(s[:i] for i in range(1, len(s) + 1) if s[:i] in strings) for s in strings}
        self._scan = re.compile(f"(?=({_trie_pattern(strings)}))") if strings else None

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories this checker knows, sorted."""
        return tuple(category for category, _ in self._checks)

    def check(self, text: str) -> SafeguardingResult:
        """Whether ``text`` may disclose harm, and which kinds."""
        if not text or not self._checks:
            return NOT_FLAGGED
        plain = normalise(text)
        seen: set[str] = set()
        if self._scan is not None:
            for m in self._scan.finditer(plain.translate(_GATE_FOLD).lower()):
                seen.update(self._prefixes[m.group(1)])
        found: list[str] = []
        for category, rules in self._checks:
            for gate, compiled in rules:
                if (gate is None or not gate.isdisjoint(seen)) and compiled.search(plain):
                    found.append(category)
                    break
        if not found:
            return NOT_FLAGGED
        return SafeguardingResult(True, tuple(found))


# ---------------------------------------------------------------------------------------
# Pre-check: literal strings that every match of a pattern must contain (one of them)
# ---------------------------------------------------------------------------------------

try:  # the standard library's own regex parser (private, so used defensively)
    _sre: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - other Python versions
    _sre = None

_MIN_GATE = 2  # a single letter is no pre-check at all
# Characters that re.IGNORECASE matches to an ASCII letter but str.lower() does not map
# to it. (Gate strings are ASCII; a rule whose strings are not gets no pre-check.)
_GATE_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
# Strings so common in comments that a pre-check on them saves little: any other
# candidate is preferred to a set containing one of these.
_COMMON_TEXT = (
    "the and for with that this they them their have has had been was were are you your "
    "feel felt help one out off all not but can will would what when from who how look "
    "watch see want said told tell get got in on at to me us he it is an my we im of or "
    "no so up do as be by"
)
_COMMON = frozenset(_COMMON_TEXT.split())


def _quality(strings: frozenset[str]) -> tuple[bool, bool, int, int]:
    stripped = {s.strip() for s in strings}
    shortest = min(map(len, stripped))
    return (stripped.isdisjoint(_COMMON), shortest >= 3, shortest, -len(strings))


def _better(a: frozenset[str], b: frozenset[str] | None) -> bool:
    return b is None or _quality(a) > _quality(b)


def _minimal(strings: set[str]) -> frozenset[str]:
    """Drop strings that contain another one: finding the shorter one is enough."""
    return frozenset(s for s in strings if not any(t != s and t in s for t in strings))


def _is_space(op: Any, av: Any) -> bool:
    """``\\s`` or ``\\s+`` (at least one): in normalised text, exactly one space."""
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1 and len(av[2]) == 1:
        op, av = av[2][0]
    return op is _sre.IN and list(av) == [(_sre.CATEGORY, _sre.CATEGORY_SPACE)]


def _leading(seq: Sequence[tuple[Any, Any]]) -> str:
    """The literal text every match of ``seq`` starts with."""
    out: list[str] = []
    for op, av in seq:
        if op is _sre.LITERAL:
            out.append(chr(av).lower())
        elif _is_space(op, av):
            out.append(" ")
        else:
            break
    return "".join(out)


def _required_in(seq: Sequence[tuple[Any, Any]]) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if candidate and all(s.strip() for s in candidate) and _better(candidate, best):
            best = candidate

    for op, av in seq:
        if op is _sre.LITERAL:
            run.append(chr(av).lower())
            continue
        if _is_space(op, av):
            run.append(" ")
            continue
        if run and op is _sre.BRANCH:
            # "o(?:ut|ff)" (the parser factors out common prefixes): "out" or "off".
            joined = "".join(run)
            consider(_minimal({joined + _leading(alt) for alt in av[1]}))
        if run:
            consider(frozenset({"".join(run)}))
            run = []
        if op is _sre.SUBPATTERN:
            consider(_required_in(av[-1]))
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            consider(_required_in(av))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
            if av[0] >= 1:
                consider(_required_in(av[2]))
        elif op is _sre.BRANCH:
            alternatives = [_required_in(alt) for alt in av[1]]
            if all(alt is not None for alt in alternatives):
                consider(_minimal({s for alt in alternatives if alt for s in alt}))
    if run:
        consider(frozenset({"".join(run)}))
    return best


def _required_strings(compiled: re.Pattern[str]) -> frozenset[str] | None:
    """Strings (lower case) one of which occurs in every match, or None if unknown."""
    return _required_for(compiled.pattern, compiled.flags)


@lru_cache(maxsize=4096)  # a checker is built per workshop; the shipped rules repeat
def _required_for(pattern: str, flags: int) -> frozenset[str] | None:
    if _sre is None:
        return None
    try:
        found = _required_in(_sre.parse(pattern, flags))
    except Exception:  # any surprise just means "no pre-check"
        return None
    if not found or min(len(s.strip()) for s in found) < _MIN_GATE or not all(s.isascii() for s in found):
        return None
    return found


def _trie_pattern(strings: Iterable[str]) -> str:
    """A regex matching any of ``strings``, longest first, shaped as a trie (fast)."""
    trie: dict[str, Any] = {}
    for s in strings:
        node = trie
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)
