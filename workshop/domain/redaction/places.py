"""Streets, places, schools and nurseries."""

from __future__ import annotations

import re

from .base import _COMMON_WORDS, _WORD_TOKEN, _is_sentence_start, _Span, _words

# Words that never belong inside a street name (checked case-insensitively).
_ADDRESS_BLOCK = _words(
    """
    a an the this that these those my your his her our their its of in on at to for from
    with by and or but is was are were be been it i we you he she they me him them us more
    most less other another each every some any all no not very so too just only also time
    times day days week weeks month months year years yr yrs hour hours hr hrs minute
    minutes min mins second seconds sec secs mile miles km metre metres meter meters yard
    yards feet foot step steps people person persons kid kids child children family families
    parent parents social worker workers meeting meetings visit visits session sessions out
    per percent point points score scores question questions case cases report reports
    appointment appointments one two three four five six seven eight nine ten eleven twelve
    twenty hundred thousand million first second third fourth fifth last next different same
    whole long short half quite really way where when what which who how there here then
    than if as up down over under off about into after before back again lot lots bit top
    end side middle own because hard easy good bad big small great little safe free other
    others times weeks months ago later more many few
    """
)

# Capitalised words that make "X Court" a court of law, not a street.
_COURT_WORDS = _words(
    """
    family crown county magistrates magistrates' youth supreme appeal appeals coroners
    coroner's combined civil criminal juvenile
    """
)

# Words that cannot start a school's name: generic kinds of school, determiners etc.
_SCHOOL_GENERIC = frozenset(
    _words(
        """
        the a an my our your his her their this that these those its any every each which what
        whose some no local special virtual secondary primary high junior juniors infant infants
        nursery free private state independent boarding faith grammar comprehensive sixth form
        forest sunday summer royal very too so really quite new big good bad best social care
        work mainstream alternative pupil referral residential day community training police
        medical further higher adult education staff and of in at on to for from with by i we
        you he she they it is was school schools academy academies college colleges hospital
        online home
        """
    )
)

# Street addresses -------------------------------------------------------------------
_STRONG_STREET = _words(
    """
    road rd street avenue ave crescent cres terrace terr tce gardens gdns grove mews
    boulevard lane ln
    """
)
_WEAK_STREET = _words(
    """
    close drive way court ct place pl walk hill row square sq rise view parade vale st
    """
)
_STRONG_RE = "|".join(sorted(_STRONG_STREET, key=len, reverse=True))
_ALL_STREET_CAP = "|".join(w.capitalize() for w in sorted(_STRONG_STREET + _WEAK_STREET, key=len, reverse=True))
_ADDR_BLOCK_RE = "|".join(sorted(set(_ADDRESS_BLOCK), key=len, reverse=True))
_COURT_RE = "|".join(re.escape(w) for w in _COURT_WORDS)

# A house number, found from its first digit (which keeps the scan fast); a "flat 3," or
# "no." in front of it is picked up afterwards by _ADDR_PREFIX.
_HOUSE_NUMBER = r"\d(?<![\w£$€,/:-]\d)(?<!\d\.\d)\d{0,3}[A-Za-z]?(?:\s?[-–]\s?\d{1,4}[A-Za-z]?)?,?\s+"
_ADDR_PREFIX = re.compile(
    r"(?:\b(?i:flat|apartment|apt|unit)\s*\d{1,4}[A-Za-z]?\s*,?\s*)?(?:\b(?i:no\.?|number)\s*)?\Z"
)
_LOWER_WORD = rf"(?=[A-Za-z])(?!(?i:{_ADDR_BLOCK_RE})\b)[A-Za-z][A-Za-z'’-]*"
_ADDR_BLOCK_CAP_RE = "|".join(w.capitalize() for w in sorted(set(_ADDRESS_BLOCK), key=len, reverse=True))
_CAP_WORD = rf"(?=[A-Z])(?!(?:{_ADDR_BLOCK_CAP_RE}|[A-Z]{{2,}})\b)(?:St\.|[A-Z][A-Za-z'’-]*)"
_STREET_END = r"\.?(?![\w'’-])"

# Number + any words (not blocklisted) + a word that is unambiguously a street.
_ADDR_NUM_STRONG = re.compile(rf"{_HOUSE_NUMBER}(?:{_LOWER_WORD}\s+){{1,3}}(?i:{_STRONG_RE}){_STREET_END}")
# Number + Capitalised Words + any Capitalised street word ("12 Elm Close").
_ADDR_NUM_CAP = re.compile(
    rf"{_HOUSE_NUMBER}(?:(?:{_CAP_WORD}\s+){{1,3}}|The\s+(?:{_CAP_WORD}\s+){{0,2}})"
    rf"(?:{_ALL_STREET_CAP}){_STREET_END}"
)
# No number, but after "on", "in", "lives at" ...: Capitalised Words + street word.
# Searched backwards from each capitalised street word (see _find_named_streets).
_STREET_CAP_FIND = re.compile(rf"(?:{_ALL_STREET_CAP}){_STREET_END}")
_ADDR_NAMED = re.compile(
    r"\b(?:[Oo]n|[Ii]n|[Aa]t|[Oo]ff|[Nn]ear|[Aa]long|[Dd]own|[Uu]p|[Ff]rom|[Tt]o|[Ii]nto"
    r"|[Oo]nto|[Oo]pposite|[Bb]ehind|[Rr]ound|[Pp]ast|[Vv]ia|[Oo]f|ON|IN|AT)\s+"
    rf"(?P<a>(?:{_CAP_WORD}\s+){{1,3}})\Z"
)
# "Leeds Crown Court", "the High Court": courts of law, not streets.
_COURT_BEFORE = re.compile(rf"(?i:\b(?:{_COURT_RE}|high)\s+)$")
# No number, lower case, but a clear "lives on ..." cue.
_ADDR_LIVES = re.compile(
    r"\b(?i:(?:lives?|living|stay|stays|staying|moved|moving)\s+(?:on|in|at|to|into)"
    r"|address\s+is)\s+"
    rf"(?P<a>(?:{_LOWER_WORD}\s+){{1,2}}(?i:{_STRONG_RE})){_STREET_END}"
)
_STRONG_SET = frozenset(_STRONG_STREET)
_CAP_STREET_SET = frozenset(w.capitalize() for w in _STRONG_STREET + _WEAK_STREET)
_LIVES_WORDS = frozenset(
    _words(
        """
    live lives living stay stays staying moved moving address
    """
    )
)

# Words that do not occur inside a school's name (connectors such as "of" and "the" can).
_FUNCTION_WORDS = frozenset(
    _words(
        """
        a an i me my we us our you your he him his she her it its they them their this that
        these those is was are were be been am has have had do does did will would can could
        should may might must shall from than then to at for with by as into onto about after
        before when while where which who whom what why how if because so but or not no nor more
        most less very too also just only even still went go goes going got get gets said says
        told tell asked called left moved started attended attends attend refer refers referred
        excluded
        """
    )
)

# Schools ---------------------------------------------------------------------------
_SCHOOL_SUFFIX = (
    r"(?:Primary|Academy|High|School|Infants|Infant|Juniors|Junior|Nursery|College"
    r"|Secondary|Grammar|Sixth\s+Form)"
)
_SCHOOL_WORD = r"(?:St\.?|Saint|[A-Z][\w'’-]*|[A-Z]{1,4})"
_SCHOOL = re.compile(
    rf"\b(?P<w>{_SCHOOL_WORD}(?:(?:\s+(?:of|and|&|the|de|la|le|upon|on|in))?\s+"
    rf"{_SCHOOL_WORD}){{0,4}}?)\s+"
    rf"(?P<s>{_SCHOOL_SUFFIX}(?:\s+(?:C\s+of\s+E\s+|CE\s+|RC\s+)?{_SCHOOL_SUFFIX}){{0,2}})"
    r"(?![\w'’-])"
)
# "st marys primary", typed in lower case.
_SCHOOL_SAINT = re.compile(
    r"(?<![\w])(?i:st\.?|saint)\s+[a-z]+(?:['’]?s)?\s+"
    r"(?i:primary|academy|high|school|infants?|juniors?|nursery|college|secondary)"
    r"(?:\s+(?i:school|academy))?(?![\w])"
)
_SCHOOL_CAP_SET = frozenset(
    _words(
        """
        Primary Academy High School Infants Infant Juniors Junior Nursery College Secondary
        Grammar Sixth
        """
    )
)
_SCHOOL_LOW_SET = frozenset(w.lower() for w in _SCHOOL_CAP_SET)
_SAINT_WORDS = frozenset(("st", "saint"))


def _address_start(text: str, start: int) -> int:
    """Move an address's start back over a "flat 3," or "no." in front of its number."""
    m = _ADDR_PREFIX.search(text, max(0, start - 24), start)
    return m.start() if m else start


def _find_schools(text: str, out: list[_Span]) -> None:
    for m in _SCHOOL.finditer(text):
        words = list(_WORD_TOKEN.finditer(text, m.start("w"), m.end("w")))
        # Text Typed In Title Case: keep only the words after the last function word.
        for i in range(len(words) - 1, -1, -1):
            if words[i].group().casefold() in _FUNCTION_WORDS:
                del words[: i + 1]
                break
        # Drop generic or sentence-initial ordinary words from the front.
        while words:
            low = words[0].group().casefold()
            if low in _SAINT_WORDS:
                break
            if low in _SCHOOL_GENERIC or (low in _COMMON_WORDS and _is_sentence_start(text, words[0].start())):
                words.pop(0)
                continue
            break
        if words:
            out.append((words[0].start(), m.end(), "school"))


def find_places(text: str, words: set[str], low: set[str], digits: bool, out: list[_Span]) -> None:
    """Street addresses and schools written the usual way."""
    if digits and not low.isdisjoint(_STRONG_SET):
        for m in _ADDR_NUM_STRONG.finditer(text):
            out.append((_address_start(text, m.start()), m.end(), "address"))
    if not words.isdisjoint(_CAP_STREET_SET):
        if digits:
            for m in _ADDR_NUM_CAP.finditer(text):
                out.append((_address_start(text, m.start()), m.end(), "address"))
        for sfx in _STREET_CAP_FIND.finditer(text):
            named = _ADDR_NAMED.search(text, max(0, sfx.start() - 64), sfx.start())
            if named is None:
                continue
            if text.startswith("Court", sfx.start()) and _COURT_BEFORE.search(text, named.start("a"), sfx.start()):
                continue
            out.append((named.start("a"), sfx.end(), "address"))
    if not low.isdisjoint(_STRONG_SET) and not low.isdisjoint(_LIVES_WORDS):
        for m in _ADDR_LIVES.finditer(text):
            out.append((m.start("a"), m.end(), "address"))
    if not words.isdisjoint(_SCHOOL_CAP_SET):
        _find_schools(text, out)
    if not low.isdisjoint(_SAINT_WORDS) and not low.isdisjoint(_SCHOOL_LOW_SET):
        for m in _SCHOOL_SAINT.finditer(text):
            out.append((m.start(), m.end(), "school"))
