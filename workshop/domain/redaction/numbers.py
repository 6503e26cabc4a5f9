"""Numbers: phones, NHS and National Insurance numbers, postcodes and dates."""

from __future__ import annotations

import re

from .base import _Span, _words

_HAS_DIGIT = re.compile(r"\d")
_NON_DIGIT = re.compile(r"\D")

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


def find_numbers(text: str, low: set[str], out: list[_Span]) -> None:
    """Phones, NHS and NI numbers, postcodes and dates (``text`` has a digit)."""
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
            find_born(text, out)
    if not low.isdisjoint(_BORN_WORDS):
        find_born_month(text, out)


def find_born(text: str, out: list[_Span]) -> None:
    """Birthdays written with a month name after "born", "dob" ..."""
    for m in _DATE_BORN.finditer(text):
        out.append((m.start("d"), m.end("d"), "dob"))


_BORN_MONTH_YEAR = re.compile(
    rf"(?<![\w])(?:born|dob|d\.o\.b\.?|date\s+of\s+birth|birthday)\W{{0,3}}(?:(?:in|on|is|was|the)\s+){{0,2}}"
    rf"(?P<d>{_MONTH}\s+(?:19|20)?\d\d|\d{{1,2}}\s\d{{1,2}}\s(?:19|20)\d\d)(?![\w])",
    re.IGNORECASE,
)


def find_born_month(text: str, out: list[_Span]) -> None:
    """ "born in march 2014", "born sept 2020", "dob 3 3 2014"."""
    for m in _BORN_MONTH_YEAR.finditer(text):
        out.append((m.start("d"), m.end("d"), "dob"))
