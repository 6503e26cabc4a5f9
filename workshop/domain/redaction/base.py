"""Shared pieces of the redactor: the kinds of detail, findings, merging and word lists."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string, for readability."""
    return tuple(text.split())


KINDS: dict[str, str] = {
    "name": "[name]",
    "phone": "[phone]",
    "email": "[email]",
    "postcode": "[postcode]",
    "nhs": "[NHS number]",
    "ni": "[NI number]",
    "dob": "[date]",
    "address": "[address]",
    "school": "[school]",
    "url": "[link]",
    "handle": "[handle]",
    "case": "[reference]",
}

# When two overlapping findings are equally long and start at the same place, the kind
# earlier in this tuple wins. Most specific first.
_PRIORITY: dict[str, int] = {
    kind: i
    for i, kind in enumerate(
        ("email", "url", "handle", "nhs", "ni", "phone", "postcode", "dob", "case", "address", "school", "name")
    )
}


@dataclass(frozen=True)
class Finding:
    """One personal detail: its kind (a key of :data:`KINDS`) and its place in the text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Redacted:
    """The redacted text and what was found (offsets refer to the original text)."""

    text: str
    findings: tuple[Finding, ...]

    @property
    def changed(self) -> bool:
        """True if anything was redacted."""
        return bool(self.findings)

    def counts(self) -> dict[str, int]:
        """How many details of each kind were found (only kinds that were found)."""
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out


# Common English words. Used (a) to decide which single-word names need a capital letter
# before they count, and (b) to drop a capitalised ordinary word at the start of a
# sentence from the front of a school name ("Sometimes School is hard").
_COMMON_WORDS = frozenset(
    _words(
        """
        a about above across actually after again against ago all almost alone along already
        also although always am among an and another any anyone anything anyway are around as
        ask asked at away back bad be because become been before being believe below best better
        between big bit both but by call came can cannot care case cases change child children
        come could course day days did different do does doing done down during each early
        either else end enough even ever every everyone everything example family far feel felt
        few find first for found free from full get gets getting give given go goes going gone
        good got great had half happen happened hard has have having he hear heard help her here
        hers herself high him himself his home honestly hope how however i if important in
        instead into is it its itself just keep kind know known last later least less let life
        like little long look looked lot lots made make makes making many may maybe me mean
        might mine more most much must my myself need needs never new next nice no nobody none
        nor not nothing now of off often ok okay old on once one only or other others our ours
        out over own part people perhaps place point probably put quite rather really right said
        same saw say says see seem seems seen she should since so social some someone something
        sometimes soon sorry still such sure take taken tell than thank thanks that the their
        them then there these they thing things think this those though through time times to
        today together told too took totally true try trying under understand until up upon us
        use used very want wanted was way we week well went were what whatever when where
        whether which while who whole why will with without work worker workers would yeah year
        years yes yet you your yours yourself after also although anyway because before but
        during finally first however if last maybe meanwhile next now once perhaps personally
        please since so sometimes still then though today tomorrow unfortunately usually what
        when where whilst why yesterday would could should might must can will shall across
        after against along among around at before behind below beneath beside between beyond by
        down during except for from in inside into near of off on onto out outside over past
        round since through throughout till to toward towards under underneath until up upon
        with within without art bill brook chase dawn drew faith frank grace guy holly hope iris
        ivy jack joy lily mark max may pat rob rose ruby sky summer sue will autumn amber daisy
        heather jade hazel violet pearl crystal destiny harmony hunter miles rich ray sunny
        april june august bob penny
        """
    )
)

# Titles: an entry "Mrs Patel" also matches "Mrs. Patel" and "Patel" on its own.
_TITLES = frozenset(
    _words(
        """
    mr mrs ms miss mx dr prof sir dame
    """
    )
)

_Span = tuple[int, int, str]

_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n]|\s[-–•*])\W*$")
_LABEL = re.compile(r"\[(?:" + "|".join(re.escape(v[1:-1]) for v in KINDS.values()) + r")\]")
_WORD_TOKEN = re.compile(r"[^\W\d_]+")


def _strip_accents(s: str) -> str:
    if s.isascii():
        return s
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_sentence_start(text: str, pos: int) -> bool:
    return _SENTENCE_START.search(text, max(0, pos - 4), pos) is not None


def _merge(spans: list[_Span]) -> tuple[Finding, ...]:
    """Merge overlapping spans; each merged group takes the kind of its longest member."""
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0]), _PRIORITY[s[2]]))
    out: list[Finding] = []
    g_start, g_end, best = spans[0]
    best_len = g_end - g_start
    for start, end, kind in spans[1:]:
        if start < g_end:
            if end - start > best_len:
                best, best_len = kind, end - start
            g_end = max(g_end, end)
            continue
        out.append(Finding(best, g_start, g_end))
        g_start, g_end, best = start, end, kind
        best_len = end - start
    out.append(Finding(best, g_start, g_end))
    return tuple(out)
