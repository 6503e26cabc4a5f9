"""Places and schools typed the way people type them: lower case, Welsh, without "school".

* Welsh street names ("Heol y Felin", "stryd fawr", "Maes y Coed", "Tŷ Glas") and Welsh
  schools ("Ysgol Gymraeg Bro Eirwg", "ysgol y wern"), in any case.
* Estates and streets a family can be found by: "the gurnos estate", "caia park", "on
  newport road", "the flats on kingsway".
* Schools and nurseries in lower case: "cathays high", "hollybush juniors", "tiny tots
  nursery", "st teilos" after "goes to"; a nursery's name after "nursery," or "called".

To keep ordinary words, a lower-case name needs at least one word that is not an everyday
English word ("cathays high" yes, "too high" no), except for nurseries, whose names are
often everyday words ("little acorns nursery"): there the word "nursery" must follow and
the words before it must not be generic ("the nursery", "a day nursery").
"""

from __future__ import annotations

import re

from .base import _COMMON_WORDS, _is_sentence_start, _Span, _words
from .lexicon import Lexicon, fold, lexicon

__all__ = ["find_more_places"]

_W = r"[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*"
_STOP = frozenset(
    _words(
        """
        a an the this that my our your his her their its and or but is was are were be been
        to at in on of for from with by as it i we you he she they me him them us so not no
        if then when where who which what have has had do does did go goes went got get will
        would can could should very too really just only also more most some any all every
        were kids child children he's she's they're it's there here now today said says
        near opposite behind across next beside past outside inside round around
        """
    )
)

# Welsh --------------------------------------------------------------------------------
_WELSH_STREET = (
    r"(?:heol|ffordd|stryd|lôn|lon|clos|rhodfa|cilgant|teras|cwrt|llys|maes|plas|tŷ|ty|cae|parc|pant|bryn|nant)"
)
_WELSH_LINK = r"(?:y|yr|'r|’r|a|ar|yn|ap|ab)"
_WELSH_PLACE = re.compile(
    rf"(?<![\w])(?:(?:flat\s+)?\d{{1,4}}[a-z]?,?\s+)?(?P<k>{_WELSH_STREET})"
    rf"(?=(?P<rest>(?:\s+(?:{_WELSH_LINK}\s+)?{_W}){{1,3}}))",  # a look-ahead: the next name starts afresh
    re.IGNORECASE,
)
_STRONG_WELSH = frozenset(_words("heol ffordd stryd lôn lon clos rhodfa cilgant teras cwrt llys"))
_YSGOL = re.compile(rf"(?<![\w])ysgol(?=(?P<rest>(?:\s+(?:{_WELSH_LINK}\s+)?{_W}){{1,4}}))", re.IGNORECASE)

# English, lower case ---------------------------------------------------------------------
_ESTATE = re.compile(rf"(?<![\w])(?P<n>(?:{_W}\s+){{1,2}})(?:estate|park\s+estate)\b", re.IGNORECASE)
_ON_STREET = re.compile(
    r"(?<![\w])(?:on|in|at|to|off|near|along|down|up|from|onto|opposite|of)\s+(?:the\s+)?"
    rf"(?P<n>(?:{_W}\s+){{1,2}})(?P<s>road|street|lane|avenue|crescent|close|drive|gardens|grove|"
    r"terrace|way|court|rise|place|park|square|walk|row|hill|view|mews)\b",
    re.IGNORECASE,
)
_FLATS_ON = re.compile(
    rf"(?<![\w])(?:flats|flat|house|houses|hostel|tower|block|estate)\s+(?:on|in|at|off)\s+(?P<n>{_W})(?![\w'’])",
    re.IGNORECASE,
)
_SCHOOL_TAIL = (
    r"(?:primary\s+school|high\s+school|junior\s+school|infant\s+school|primary|high|juniors?|infants?"
    r"|academy|comprehensive|college|sixth\s+form|catholic\s+high|rc\s+primary|church\s+school)"
)
_LOW_SCHOOL = re.compile(rf"(?<![\w])(?P<n>(?:{_W}\s+){{1,4}}?){_SCHOOL_TAIL}(?![\w])", re.IGNORECASE)
_SCHOOL_AT = re.compile(
    r"\b(?:infants|juniors|nursery|school|primary|pru|unit)\s+(?:at|called|named)\s+"
    r"(?P<n>[A-Z][^\W\d_]+(?:\s+(?:y\s+|yr\s+)?[A-Z][^\W\d_]+){0,2})",
)
# Welsh words kept inside a place or school name although they are also English words.
_WELSH_OK = frozenset(
    _words(
        """
        y yr a bro pen glan pant bont nant coed parc bryn las glas hir fawr fach gymraeg gynradd
        gyfun uwchradd cwm maes tref dre llan aber afon bach gwyn wen ddu coch newydd hen ty tŷ
        derw onnen celyn deri graig wern ddraig felin eglwys
        """
    )
)
_NURSERY = re.compile(rf"(?<![\w])(?P<n>(?:{_W}\s+){{1,3}}?)(?:day\s+)?nursery\b", re.IGNORECASE)
_NURSERY_NAMED = re.compile(
    rf"\bnursery(?:,\s*|\s+(?:called|named)\s+)(?P<n>{_W}(?:\s+{_W})?)(?=\s*[,.;!?)]|\s+(?:on|in|at|did|was|is|were|said)\b|$)",
    re.IGNORECASE,
)
_SAINT_AFTER_GO = re.compile(
    rf"\b(?:goes|go|going|went|attends?|attending|to|at)\s+(?P<n>(?:st\.?|saint)\s+{_W})(?![\w'’])",
    re.IGNORECASE,
)
_SCHOOL_GENERIC = frozenset(
    _words(
        """
        local special secondary primary high junior infant nursery free private state
        independent boarding faith grammar comprehensive sixth form church catholic welsh
        english day new old big good bad best social mainstream alternative pupil referral
        residential community village year reception after before same different other
        whole every council senior middle first second third last next school schools
        """
    )
)
_COURTS = frozenset(
    _words("family crown county high youth magistrates magistrates' supreme appeal civil criminal juvenile coroners")
)
_NOT_STREET = frozenset(_words("main high same wrong right long other next one way whole end"))


def _words_ok(words: list[str], need_unusual: bool) -> bool:
    lex = lexicon()
    lows = [fold(w) for w in words]
    if not lows or any(w in _STOP and w != "of" for w in lows) or all(w in _SCHOOL_GENERIC for w in lows):
        return False
    if lows[0] in _SCHOOL_GENERIC and len(lows) == 1:
        return False
    if not need_unusual:
        return True
    return any(w[:1].isupper() for w in words) or any(not lex.everyday_word(w) for w in lows)


def _trim_front(words: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Keep the words after the last stop word ("excluded from radyr"), then drop generic
    words from the front ("the local cathays high"). "of" between capitals is kept."""
    for k in range(len(words) - 1, -1, -1):
        lw = fold(words[k][1])
        if lw in _STOP:
            if (
                lw == "of"
                and 0 < k < len(words) - 1
                and words[k - 1][1][:1].isupper()
                and words[k + 1][1][:1].isupper()
            ):
                continue
            words = words[k + 1 :]
            break
    while words and (fold(words[0][1]) in _STOP or fold(words[0][1]) in _SCHOOL_GENERIC):
        words = words[1:]
    return words


_WORD_IN = re.compile(_W)


def _name_words(text: str, start: int, end: int) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _WORD_IN.finditer(text, start, end)]


def _welsh_ok(lex: Lexicon, word: str) -> bool:
    """May this word be part of a Welsh place or school name?"""
    lw = fold(word).split("'")[0]
    if lw in _WELSH_OK:
        return True
    if lw in _STOP or lw in lex.never:
        return False
    return word[:1].isupper() or lw not in lex.everyday


_DIRECTION = re.compile(r"[ \t]+(?:East|West|North|South|Upper|Lower|east|west|north|south)\b")


def _extend_directions(text: str, out: list[_Span]) -> None:
    """ "Cowbridge Road East": the direction after a street is part of it."""
    for k, (start, end, kind) in enumerate(out):
        if kind == "address":
            m = _DIRECTION.match(text, end)
            if m:
                out[k] = (start, m.end(), kind)


def find_more_places(text: str, low: set[str], out: list[_Span]) -> None:
    """Welsh streets and schools, estates, and lower-case streets and schools."""
    lex = lexicon()
    for m in _WELSH_PLACE.finditer(text):
        key = m.group("k").lower()
        rest = _name_words(text, m.start("rest"), m.end("rest"))
        kept = []
        for pos, w in rest:
            if not _welsh_ok(lex, w):
                break
            kept.append((pos, w))
        if not kept:
            continue
        if key not in _STRONG_WELSH and not (kept[0][1][:1].isupper() or fold(kept[0][1]) in ("y", "yr")):
            continue  # "bryn", "parc", "maes" alone are also names and words
        if key not in _STRONG_WELSH and len(kept) == 1 and fold(kept[0][1]) in ("y", "yr"):
            continue
        end = kept[-1][0] + len(kept[-1][1])
        out.append((m.start(), end, "address"))
    if "ysgol" in low:
        for m in _YSGOL.finditer(text):
            kept = []
            for pos, w in _name_words(text, m.start("rest"), m.end("rest")):
                if not _welsh_ok(lex, w):
                    break
                kept.append((pos, w))
            if kept:
                out.append((m.start(), kept[-1][0] + len(kept[-1][1]), "school"))
    if "estate" in low:
        for m in _ESTATE.finditer(text):
            words = _trim_front(_name_words(text, m.start("n"), m.end("n")))
            if words and _words_ok([w for _, w in words], True):
                out.append((words[0][0], m.end(), "address"))
    for m in _ON_STREET.finditer(text):
        words = _name_words(text, m.start("n"), m.end("n"))
        words = _trim_front(words)
        if not words or fold(words[-1][1]) in _NOT_STREET:
            continue
        if m.group("s").lower() == "court" and any(fold(w) in _COURTS for _, w in words):
            continue  # "the family court", "Leeds Crown Court"
        if _words_ok(
            [w for _, w in words],
            m.group("s").lower() in ("park", "way", "hill", "view", "walk", "row", "court", "place", "square"),
        ):
            out.append((words[0][0], m.end(), "address"))
    for m in _FLATS_ON.finditer(text):
        w = m.group("n")
        if not lex.everyday_word(fold(w)) or (w[:1].isupper() and fold(w) not in _STOP):
            out.append((m.start("n"), m.end("n"), "address"))
    for m in _LOW_SCHOOL.finditer(text):
        words = _trim_front(_name_words(text, m.start("n"), m.end("n")))
        while len(words) > 1 and fold(words[0][1]) in _COMMON_WORDS and _is_sentence_start(text, words[0][0]):
            words = words[1:]  # "Sometimes Oakfield Academy is strict"
        if words and _words_ok([w for _, w in words], True):
            out.append((words[0][0], m.end(), "school"))
    if "nursery" in low:
        for m in _NURSERY.finditer(text):
            words = _trim_front(_name_words(text, m.start("n"), m.end("n")))
            if words and _words_ok([w for _, w in words], False):
                out.append((words[0][0], m.end(), "school"))
        for m in _NURSERY_NAMED.finditer(text):
            named = [w for _, w in _name_words(text, m.start("n"), m.end("n"))]
            if _words_ok(named, False):
                out.append((m.start("n"), m.end("n"), "school"))
    for m in _SCHOOL_AT.finditer(text):
        out.append((m.start("n"), m.end("n"), "school"))
    _extend_directions(text, out)
    if "st" in low or "saint" in low or "st." in text.lower():
        for m in _SAINT_AFTER_GO.finditer(text):
            out.append((m.start("n"), m.end("n"), "school"))
