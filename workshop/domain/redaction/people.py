"""Names of people, found without any list: context rules and name gazetteers.

Three kinds of evidence, strongest first:

1. **Context.** A word right after a title ("Mrs Begum", "mr thomas"), after a relative
   ("my son tyler", "our Kaz", "my little girl hope"), after "called"/"named" ("a social
   worker called gareth"), or before "'s mum" is a name in any case, unless it is a word
   that cannot be one ("my son was ...").
2. **Gazetteer, unambiguous.** A first name from the gazetteer that is not also an
   everyday English or Welsh word (Priya, tyler, Siân, Dragoș) is a name in any case and
   anywhere, also at the start of a sentence.
3. **Gazetteer, ambiguous.** A first name that is also an everyday word (Will, Grace, Hope,
   Mark, Summer) is a name only when capitalised in the middle of a sentence, and only if
   the comment is not typed In Title Case; in lower case it needs context (rule 1).

A found name then takes in the words that follow it when they read as more of the name
("Kwame Mensah", "Claire Louise Hopkins", "Reece and Kian").
"""

from __future__ import annotations

import re

from .base import _is_sentence_start, _Span
from .lexicon import (
    CALLED,
    KIN_AFTER,
    OWNERS,
    RELATIONS,
    SELF,
    SURNAME_TITLES,
    TITLES,
    WORKERS,
    Lexicon,
    fold,
    lexicon,
)

__all__ = ["find_people"]

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
# Words between an owner and the name: "my little girl hope", "my ex partner Lee".
_QUALIFIERS = frozenset(
    [
        "support",
        "social",
        "family",
        "team",
        "key",
        "lead",
        "health",
        "little",
        "big",
        "eldest",
        "youngest",
        "oldest",
        "middle",
        "foster",
        "step",
        "ex",
        "baby",
        "bach",
        "fach",
        "younger",
        "older",
        "twin",
        "late",
        "new",
        "lovely",
        "beautiful",
        "gorgeous",
        "autistic",
        "disabled",
        "adopted",
        "kinship",
        "own",
        "wee",
    ]
)
_GAP = re.compile(r"[ \t]*(?:[,(][ \t]*)?\Z")  # what may sit between a cue and a name
_TIGHT = re.compile(r"[ \t]+\Z|[ \t]*\.[ \t]*\Z")


class _Tok:
    __slots__ = ("cap", "end", "low", "start", "word")

    def __init__(self, m: re.Match[str]) -> None:
        word = m.group()
        self.start = m.start()
        self.end = m.end()
        p = _POSSESSIVE.search(word)
        if p and len(word) > 3:
            word = word[: p.start()]
            self.end = self.start + len(word)
        self.word = word
        self.low = fold(word)
        self.cap = word[:1].isupper() and not (len(word) > 1 and word.isupper())


def _name_like(lex: Lexicon, t: _Tok) -> bool:
    """Could this word be a name once context says a name comes here?"""
    low = t.low
    if t.cap and low in lex.first and low not in RELATIONS:
        return True  # "my son Will", "my daughter May"
    if low in lex.not_after_cue or len(low) < 2 or low in RELATIONS or low in WORKERS:
        return False
    if low in lex.first or (low.replace("'", "") in lex.surnames and not lex.everyday_word(low)):
        return True
    parts = low.split("-")
    if len(parts) > 1 and any(p in lex.first for p in parts):
        return True
    return t.cap or not lex.everyday_word(low)


def _plain(lex: Lexicon, t: _Tok) -> bool:
    """An unambiguous first name, in any case ("Rhys", "harpreet", "Kayden-Lee")."""
    low = t.low
    if lex.plain_name(low):
        return len(low) >= 3 or t.cap
    parts = low.split("-")
    if len(parts) > 1 and all(p.isalpha() for p in parts):
        return parts[0] in lex.first and (t.cap or lex.plain_name(parts[0]) or lex.plain_name(parts[-1]))
    return False


def _cue_before(lex: Lexicon, text: str, toks: list[_Tok], i: int) -> bool:
    """True if the words before token ``i`` say a name comes here."""
    if i == 0:
        return False
    p1 = toks[i - 1]
    gap = text[p1.end : toks[i].start]
    if _TIGHT.search(gap) and p1.low in SURNAME_TITLES:
        return True
    if not _GAP.search(gap) or "\n" in gap:
        return False
    if p1.low in TITLES or p1.low in CALLED:
        return True
    if p1.low in SELF and (lex.is_first(toks[i].word) or toks[i].cap):
        return True
    if p1.low == "is" and i >= 2 and toks[i - 2].low in ("name", "names", "name's"):
        return True
    # owner (+ qualifiers) + relative or worker: "my son", "our social worker", "our Kaz"
    j = i - 1
    seen_rel = False
    for _ in range(4):
        if j < 0:
            break
        low = toks[j].low
        if low in RELATIONS or low in WORKERS:
            seen_rel = True
        elif low in _QUALIFIERS or low == "social" or low == "support":
            pass
        elif low in OWNERS:
            return seen_rel or (low == "our" and j == i - 1 and toks[i].cap and lex.is_first(toks[i].word))
        else:
            return False
        if j > 0 and not _GAP.search(text[toks[j - 1].end : toks[j].start]):
            return False
        j -= 1
    return False


def _kin_after(text: str, toks: list[_Tok], i: int) -> bool:
    """ "Aaliyah's mum", "jodie's nan": a possessive before a family word."""
    t = toks[i]
    if i + 1 >= len(toks):
        return False
    if not _POSSESSIVE.match(text, t.end, t.end + 2) and not (
        t.low.endswith("s") and text[t.end : t.end + 1] in ("'", "’")
    ):
        return False
    return toks[i + 1].low in KIN_AFTER


_PLACE_PREP = frozenset(("in", "near", "outside", "around", "nr"))


def _appositive(lex: Lexicon, toks: list[_Tok], i: int) -> bool:
    """ "Precious our foster daughter", "Ray, our support worker", "Faith is my daughter"."""
    j = i + 1
    if j < len(toks) and toks[j].low in ("is", "was"):
        j += 1
    if j >= len(toks) or toks[j].low not in OWNERS:
        return False
    for k in range(j + 1, min(j + 5, len(toks))):
        if toks[k].low in RELATIONS or toks[k].low in WORKERS:
            return True
        if toks[k].low not in _QUALIFIERS:
            return False
    return False


def _from_somewhere(toks: list[_Tok], i: int) -> bool:
    """ "Pat from the foster carers group", "Dai from the family centre"."""
    return (
        i + 2 < len(toks) and toks[i + 1].low == "from" and toks[i + 2].low in ("the", "our", "my", "early", "social")
    )


_SIGN_OFF = frozenset(("thanks", "thank", "cheers", "regards", "love", "from", "ta", "x", "xx"))


def _signed(text: str, toks: list[_Tok], i: int) -> bool:
    """The last word of a comment, signed: "thanks, Mark", "love from Grace", "- Will"."""
    before = text[toks[i - 1].end : toks[i].start] if i > 0 else text[: toks[i].start]
    return "-" in before or "–" in before or (i > 0 and toks[i - 1].low in _SIGN_OFF)


def _described(lex: Lexicon, toks: list[_Tok], i: int) -> bool:
    """A name followed by who they are or where they are from."""
    t = toks[i]
    if (t.cap or lex.plain_name(t.low)) and _appositive(lex, toks, i):
        return True
    return t.cap and t.low in lex.first and _from_somewhere(toks, i)


def _kin_after_plain(lex: Lexicon, toks: list[_Tok], i: int) -> bool:
    """A possessive typed without the apostrophe: "Connors dad", "jaydens teacher"."""
    stem = toks[i].low[:-1]
    return i + 1 < len(toks) and toks[i + 1].low in KIN_AFTER and lex.plain_name(stem) and toks[i].low not in lex.first


def _title_case(toks: list[_Tok]) -> bool:
    return len(toks) >= 4 and sum(t.cap for t in toks) * 10 >= len(toks) * 6


def _more_of_name(lex: Lexicon, text: str, toks: list[_Tok], j: int) -> bool:
    """Is token ``j`` more of the name just before it ("Kwame Mensah", "lee davies")?"""
    nxt = toks[j]
    gap = text[toks[j - 1].end : nxt.start]
    if gap.strip() != "" or "\n" in gap:
        return False
    if nxt.cap:
        if _is_sentence_start(text, nxt.start) or nxt.low in lex.not_after_cue:
            return False
        return not lex.everyday_word(nxt.low) or nxt.low in lex.first or nxt.low in lex.surnames
    return nxt.low in lex.surnames and not lex.everyday_word(nxt.low)


def find_people(text: str, out: list[_Span]) -> None:
    """Append a ``name`` span for each person's name found in ``text``."""
    lex = lexicon()
    toks = [_Tok(m) for m in _TOKEN.finditer(text)]
    if not toks:
        return
    title_case = _title_case(toks)
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        is_name = False
        if _cue_before(lex, text, toks, i):
            is_name = _name_like(lex, t)
        elif _plain(lex, t):
            is_name = not (title_case and t.low in lex.everyday) and not (
                t.cap and i > 0 and toks[i - 1].low in _PLACE_PREP and not _cue_before(lex, text, toks, i)
            )
        elif _described(lex, toks, i):
            is_name = t.low not in lex.not_after_cue or (t.cap and t.low in lex.first)
        elif _kin_after(text, toks, i) and (t.cap or lex.plain_name(t.low)):
            is_name = t.low not in lex.not_after_cue and t.low not in RELATIONS
        elif t.cap and t.low in lex.first and t.low not in lex.calendar and t.low not in lex.places and not title_case:
            # An everyday word that is also a name: only mid-sentence with a capital.
            is_name = not _is_sentence_start(text, t.start) and i > 0 and toks[i - 1].low not in ("the", "a", "an")
        elif t.cap and lex.surname_only(t.low) and not title_case:
            is_name = True  # "Okafor is the only one", "I asked Patel"
        if not is_name and t.cap and i == n - 1 and t.low in lex.first and _signed(text, toks, i):
            is_name = True  # "thanks, Mark", "- Will"
        if is_name and i > 0 and toks[i - 1].low in ("st", "saint") and _TIGHT.search(text[toks[i - 1].end : t.start]):
            is_name = False  # "St John Ambulance", "St Mary's"
        if not is_name and t.low.endswith("s") and _kin_after_plain(lex, toks, i):
            is_name = True  # "Connors dad", "jaydens teacher"
        if not is_name:
            i += 1
            continue
        start, end = t.start, t.end
        j = i + 1
        # More of the name: capitalised words or surnames right after it, and "X and Y".
        while j < n and j <= i + 3 and toks[j - 1].end == end and _more_of_name(lex, text, toks, j):
            end = toks[j].end
            j += 1
        out.append((start, end, "name"))
        # "Reece and Kian", "nia and seren": a first name after "and" is one too.
        if j + 1 < n and toks[j].low in ("and", "&", "a") and toks[j + 1].low in lex.first:
            k = toks[j + 1]
            joined = _GAP.search(text[toks[j].end : k.start]) and k.low not in lex.not_after_cue
            if joined and (k.cap or lex.plain_name(k.low) or _cue_before(lex, text, toks, i)):
                out.append((k.start, k.end, "name"))
                j += 2
        i = max(j, i + 1)
