"""Find and redact personal details in free-text comments before anyone else sees them.

A comment typed on a phone in a workshop may name a child, a social worker, a school or a
street, or contain a phone number, email address, postcode, NHS or National Insurance
number, date of birth or link. :class:`Redactor` finds these and replaces each with a
plain label such as ``[name]`` or ``[phone]``, leaving the rest of the text (spacing,
punctuation, possessive ``'s``) exactly as typed.

Design notes:

* Pure standard library. Every regular expression is compiled once, at import time or
  once per list of names, and cheap pre-checks (is there a digit? an ``@``?) skip whole
  detectors on text that cannot contain their kind of detail.
* Precision matters as much as recall: comments are *about* social care, so ordinary
  words ("family court", "a school", "in 2019", "7 out of 20") must survive. Patterns
  that would otherwise fire on ordinary English (street words such as *Way* or *View*,
  school words such as *High*) need capitalised words, and blocklists keep out function
  words, time units and the like.
* Findings that overlap are merged into one finding covering all of them, labelled with
  the kind of the longest (then earliest) one, so nothing is half-redacted and no text
  gets two labels.
* Names from the facilitator's list match case-insensitively on word boundaries,
  including possessives (``Jayden's`` gives ``[name]'s``, ``Jaydens`` gives ``[name]``).
  A single-word name that is also a common English word (Will, May, Grace, Hope ...)
  only matches when typed with a capital letter, so "I will" is left alone. A name
  entered with a title ("Mrs Patel") also matches the surname on its own.
* National Insurance numbers follow HMRC's prefix rules, with one deliberate exception:
  the ``QQ`` prefix, which HMRC uses for specimen numbers ("QQ 12 34 56 C") and which
  people copy from forms, is redacted too. Redacting a specimen number costs nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["KINDS", "Finding", "Redacted", "Redactor", "redact"]


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
}

# When two overlapping findings are equally long and start at the same place, the kind
# earlier in this tuple wins. Most specific first.
_PRIORITY: dict[str, int] = {
    kind: i
    for i, kind in enumerate(("email", "url", "nhs", "ni", "phone", "postcode", "dob", "address", "school", "name"))
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


# ---------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------

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

# ---------------------------------------------------------------------------------------
# Fixed patterns (compiled once at import)
# ---------------------------------------------------------------------------------------

_HAS_DIGIT = re.compile(r"\d")
_NON_DIGIT = re.compile(r"\D")

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)

_TLDS = (
    r"(?:co|org|ac|gov|nhs|sch|ltd|plc|me|net|police|mod)\.uk|uk|com|org|net|info|io|biz"
    r"|gov|edu|ie|eu"
)
_URL_CHARS = r"[^\s<>\"'()\[\]{}]"
# Links with a scheme or "www.".
_URL = re.compile(rf"\b(?:[Hh][Tt][Tt][Pp][Ss]?://|[Ww][Ww][Ww]\.){_URL_CHARS}+")
# Bare domains are found from their ending (".com", ".co.uk", "bit.ly/...") backwards.
_TLD_DOT = re.compile(rf"\.(?:{_TLDS}|(?:ly|co|gl)(?=/))(?![\w-])", re.IGNORECASE)
_URL_PATH = re.compile(rf"/{_URL_CHARS}*")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_WEB_WORDS = frozenset(("www", "http", "https"))
_TLD_WORDS = frozenset(
    _words(
        """
    com org net info io biz gov edu ie eu uk ly co gl
    """
    )
)
_URL_TRAILING = ".,;:!?'\"’”)]}>"

# UK phone numbers: 0 or +44/0044, then a number starting 1, 2, 3 or 7, then 8-9 more
# digits with optional single separators and an optional ")" after the area code.
# (Each branch consumes its first character before the look-behind, so that the regex
# engine can skip quickly to candidate characters.)
_PHONE = re.compile(
    r"(?:(?:\+(?<![\w+/]\+)\s?|00(?<![\w+/]00))44\s?(?:\(0\)\s?)?|\((?<![\w+/]\()0|0(?<![\w+/]0))"
    r"[1237](?:\)?[ \-.]?\)?\d){8,9}"
    r"(?!\d)"
)

_POSTCODE_AREAS = _words(
    """
    AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL
    DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW
    KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH
    RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF
    WN WR WS WV YO ZE
    """
)
_POSTCODE_AREA_SET = frozenset(_POSTCODE_AREAS)
# The shape of a full postcode; the area letters are then checked against the real list.
# Found from the inward code ("4AB") back to the outward code ("LS1 ").
_POSTCODE_INWARD = re.compile(r"\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?!\w)")
_POSTCODE_OUTWARD = re.compile(r"(?<![\w])([A-Za-z]{1,2})\d[A-Za-z\d]?[ \t]{0,2}\Z")

# Ten digits, in any grouping with single spaces or hyphens; the checksum does the rest.
# NHS numbers: runs of digit groups joined by single spaces or hyphens are split into
# consecutive groups of ten digits in all, and each candidate must pass the checksum.
_DIGIT_RUN = re.compile(r"\d(?<![\w/+]\d)(?<!\d[.,]\d)\d*(?:[ -]\d+)*(?!\w|[.,/-]\d)")
_DIGIT_GROUP = re.compile(r"\d+")

# Found from the six digits and suffix letter, then the two prefix letters are checked.
_NI_DIGITS = re.compile(r"\d(?<!\d\d)\d[ -]?\d\d[ -]?\d\d[ -]?[A-Da-d](?!\w)")
_NI_PREFIX = re.compile(r"(?<![\w])([A-Za-z]{2})[ -]?\Z")
_NI_BAD_FIRST = frozenset("DFIQUV")
_NI_BAD_SECOND = frozenset("DFIOQUV")
_NI_BAD_PAIRS = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})

_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
# Dates written with a month name are found from their year backwards (a fast scan).
_YEAR_FIND = re.compile(r"\b(?:19|20)\d\d\b|['’]\d\d\b")
_DATE_TEXT_BEFORE_YEAR = re.compile(
    rf"(?<![\w])(?:{_DAY}[\s/.-]*(?:of\s+)?{_MONTH},?[\s/.-]*|{_MONTH}\s*(?:the\s+)?{_DAY},?\s*)\Z",
    re.IGNORECASE,
)
_DATE_BORN = re.compile(
    r"(?<![\w])(?:born|birthday|b[-'’]?day|dob|d\.o\.b\.?|date\s+of\s+birth)"
    r"(?:\s*[:\-]\s*|\s+)(?:(?:is|was|on|the|will\s+be)\s+){0,3}"
    rf"(?P<d>{_DAY}\s*(?:of\s+)?{_MONTH}|{_MONTH}\s*(?:the\s+)?{_DAY})(?![\w])",
    re.IGNORECASE,
)
_DATE_NUM = re.compile(
    r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/]|[.-]\d)"
    r"|(?<![\w/.-])((?:19|20)\d{2})([/.-])(\d{1,2})\6(\d{1,2})(?![\w/]|[.-]\d)"
)
_MONTH_WORDS = frozenset(
    _words(
        """
        january february march april may june july august september october november december
        jan feb mar apr jun jul aug sep sept oct nov dec
        """
    )
)
_BORN_WORDS = frozenset(
    _words(
        """
    born birthday bday b dob birth
    """
    )
)

# Cheap gates: is there anything digit-shaped worth running the detailed patterns for?
_LONG_DIGITS = re.compile(r"\d(?:[ ()\-.]{0,2}\d){5}")  # phone, NHS, NI
_DATE_GATE = re.compile(r"\d[/.-]\d")

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
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n]|\s[-–•*])\W*$")

_LABEL = re.compile(r"\[(?:" + "|".join(re.escape(v[1:-1]) for v in KINDS.values()) + r")\]")
_WORD_TOKEN = re.compile(r"[^\W\d_]+")


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _nhs_valid(digits: str) -> bool:
    """True if a 10-digit string passes the NHS number modulus-11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _ni_prefix_ok(prefix: str) -> bool:
    p = prefix.upper()
    if p == "QQ":  # HMRC specimen prefix; see the module docstring
        return True
    return p[0] not in _NI_BAD_FIRST and p[1] not in _NI_BAD_SECOND and p not in _NI_BAD_PAIRS


def _date_parts_ok(a: int, b: int) -> bool:
    """Day and month in either order (UK or US style)."""
    return 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)


def _strip_accents(s: str) -> str:
    if s.isascii():
        return s
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_sentence_start(text: str, pos: int) -> bool:
    return _SENTENCE_START.search(text, max(0, pos - 4), pos) is not None


# ---------------------------------------------------------------------------------------
# Names: a trie-shaped regex built once per list
# ---------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------
# The redactor
# ---------------------------------------------------------------------------------------

_Span = tuple[int, int, str]


class Redactor:
    """Redacts personal details. Build one per workshop (its list of names), reuse it."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._names, self._name_words = _compile_names(names)

    def find(self, text: str) -> tuple[Finding, ...]:
        """Return the (merged, non-overlapping) findings in ``text``, in order."""
        out: list[_Span] = []
        words = set(_WORD_TOKEN.findall(text))
        low = {w.lower() for w in words}
        digits = _HAS_DIGIT.search(text) is not None

        if self._names is not None and not low.isdisjoint(self._name_words):
            for m in self._names.finditer(text):
                out.append((m.start(), m.end(), "name"))

        if digits:
            if _LONG_DIGITS.search(text):
                for m in _PHONE.finditer(text):
                    start = m.start()
                    if text[start] == "(" and ")" not in m.group():
                        start += 1  # "(07700 900123)": the bracket is not part of it
                    out.append((start, m.end(), "phone"))
                for m in _DIGIT_RUN.finditer(text):
                    if m.end() - m.start() >= 10:
                        _find_nhs(text, m.start(), m.end(), out)
                for m in _NI_DIGITS.finditer(text):
                    p = _NI_PREFIX.search(text, max(0, m.start() - 3), m.start())
                    if p and _ni_prefix_ok(p.group(1)):
                        out.append((p.start(), m.end(), "ni"))
            for m in _POSTCODE_INWARD.finditer(text):
                p = _POSTCODE_OUTWARD.search(text, max(0, m.start() - 6), m.start())
                if p and p.group(1).upper() in _POSTCODE_AREA_SET:
                    out.append((p.start(), m.end(), "postcode"))
            if _DATE_GATE.search(text):
                for m in _DATE_NUM.finditer(text):
                    if m.group(1) is not None:
                        ok = _date_parts_ok(int(m.group(1)), int(m.group(3)))
                    else:
                        ok = 1 <= int(m.group(7)) <= 12 and 1 <= int(m.group(8)) <= 31
                    if ok:
                        out.append((m.start(), m.end(), "dob"))
            if not low.isdisjoint(_MONTH_WORDS):
                for y in _YEAR_FIND.finditer(text):
                    d = _DATE_TEXT_BEFORE_YEAR.search(text, max(0, y.start() - 32), y.start())
                    if d:
                        out.append((d.start(), y.end(), "dob"))
                if not low.isdisjoint(_BORN_WORDS):
                    for m in _DATE_BORN.finditer(text):
                        out.append((m.start("d"), m.end("d"), "dob"))
            if not low.isdisjoint(_STRONG_SET):
                for m in _ADDR_NUM_STRONG.finditer(text):
                    out.append((_address_start(text, m.start()), m.end(), "address"))
        elif not low.isdisjoint(_BORN_WORDS) and not low.isdisjoint(_MONTH_WORDS):
            for m in _DATE_BORN.finditer(text):
                out.append((m.start("d"), m.end("d"), "dob"))

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

        if "@" in text:
            for m in _EMAIL.finditer(text):
                out.append((m.start(), m.end(), "email"))
        if ("." in text and not low.isdisjoint(_TLD_WORDS)) or not low.isdisjoint(_WEB_WORDS):
            _find_urls(text, out)

        if not out:
            return ()
        if "[" in text:
            labels = [(m.start(), m.end()) for m in _LABEL.finditer(text)]
            if labels:
                out = [s for s in out if not any(s[0] < le and ls < s[1] for ls, le in labels)]
                if not out:
                    return ()
        return _merge(out)

    def redact(self, text: str) -> Redacted:
        """Return ``text`` with each personal detail replaced by its label."""
        findings = self.find(text)
        if not findings:
            return Redacted(text, ())
        parts: list[str] = []
        pos = 0
        for f in findings:
            parts.append(text[pos : f.start])
            parts.append(KINDS[f.kind])
            pos = f.end
        parts.append(text[pos:])
        return Redacted("".join(parts), findings)


def _find_nhs(text: str, start: int, end: int, out: list[_Span]) -> None:
    groups = [(g.start(), g.end()) for g in _DIGIT_GROUP.finditer(text, start, end)]
    i = 0
    while i < len(groups):
        total, j = 0, i
        while j < len(groups) and total < 10:
            total += groups[j][1] - groups[j][0]
            j += 1
        if total == 10:
            first, last = groups[i][0], groups[j - 1][1]
            if _nhs_valid(_NON_DIGIT.sub("", text[first:last])):
                out.append((first, last, "nhs"))
                i = j
                continue
        i += 1


def _address_start(text: str, start: int) -> int:
    """Move an address's start back over a "flat 3," or "no." in front of its number."""
    m = _ADDR_PREFIX.search(text, max(0, start - 24), start)
    return m.start() if m else start


def _trim_url(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _URL_TRAILING:
        end -= 1
    return end


def _find_urls(text: str, out: list[_Span]) -> None:
    for m in _URL.finditer(text):
        end = _trim_url(text, m.start(), m.end())
        if end > m.start():
            out.append((m.start(), end, "url"))
    for m in _TLD_DOT.finditer(text):
        start = m.start()
        while start > 0 and text[start - 1] in _HOST_CHARS:
            start -= 1
        while start < m.start() and not text[start].isalnum():
            start += 1
        if start == m.start() or (start > 0 and text[start - 1] in "@_"):
            continue  # no host name, or an email address (found separately)
        end = m.end()
        path = _URL_PATH.match(text, end)
        if path:
            end = _trim_url(text, end, path.end())
        out.append((start, end, "url"))


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


@lru_cache(maxsize=32)
def _redactor_for(names: tuple[str, ...]) -> Redactor:
    return Redactor(names)


def redact(text: str, names: Iterable[str] = ()) -> Redacted:
    """Redact ``text`` using a cached :class:`Redactor` for this list of names."""
    return _redactor_for(tuple(names)).redact(text)
