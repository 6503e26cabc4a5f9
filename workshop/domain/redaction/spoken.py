"""Numbers written the way people type them: spelled out, spaced, or after a keyword.

* Phone numbers spelled out in words ("oh seven seven double oh nine ..."), or typed with
  a space between every digit ("0 7 7 0 0 ..."), or "+44 (0)7700 ...".
* Any ten-digit number after "NHS" is an NHS number, whatever its checksum (a mistyped
  digit still points at one child); without the keyword the checksum has to pass.
* Any NI-shaped number after "NI" or "national insurance" is an NI number, even with a
  prefix HMRC never issues; without the keyword HMRC's prefix rules apply.
* Case, reference, file, court and system numbers: after a keyword ("case ref", "LCS
  id", "mosaic number", "rhif achos") any code with digits; without one, only codes that
  cannot be anything else ("CS-2023-04417", "ZW21C00412", "CP/2022/0193").
"""

from __future__ import annotations

import re

from .base import _Span, _words

__all__ = ["find_references", "find_spoken_numbers"]

_UNITS = {
    "oh": "0", "o": "0", "zero": "0", "nought": "0", "nil": "0",
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEAT = {"double": 2, "treble": 3, "triple": 3}
_SPOKEN_WORD = re.compile(
    r"\b(?:oh|o|zero|nought|nil|one|two|three|four|five|six|seven|eight|nine|double|treble|triple|hundred|\d)\b",
    re.IGNORECASE,
)
_SPOKEN_GAP = re.compile(r"[ \t,.\-]{0,3}\Z")
_SPOKEN_WORDS = frozenset(_UNITS) | frozenset(_REPEAT) | {"hundred"}


def _spoken_runs(text: str) -> list[list[tuple[int, int, str]]]:
    """Runs of spoken digits (and single digits), each a list of (start, end, digits)."""
    runs: list[list[tuple[int, int, str]]] = []
    run: list[tuple[int, int, str]] = []
    repeat, rep_start, last = 1, -1, -1
    for m in _SPOKEN_WORD.finditer(text):
        if last >= 0 and not _SPOKEN_GAP.match(text[last : m.start()]):
            if run:
                runs.append(run)
            run, repeat, rep_start = [], 1, -1
        last = m.end()
        w = m.group().lower()
        if w in _REPEAT:
            repeat, rep_start = _REPEAT[w], m.start()
            continue
        if w == "hundred":
            if run:
                run.append((m.start(), m.end(), "00"))
            continue
        start = rep_start if rep_start >= 0 else m.start()
        run.append((start, m.end(), (w if w.isdigit() else _UNITS[w]) * repeat))
        repeat, rep_start = 1, -1
    if run:
        runs.append(run)
    return runs


def _phones_in_run(run: list[tuple[int, int, str]], out: list[_Span]) -> None:
    """Phone numbers in a run of spoken digits; two numbers said one after the other too."""
    i = 0
    while i < len(run):
        digits = ""
        found = -1
        for j in range(i, len(run)):
            digits += run[j][2]
            if len(digits) > 13:
                break
            if len(digits) >= 10 and _phone_digits(digits):
                found = j
                if len(digits) >= 11 or not digits.startswith("0"):
                    break
        if found >= 0:
            out.append((run[i][0], run[found][1], "phone"))
            i = found + 1
        else:
            i += 1


def _phone_digits(d: str) -> bool:
    if d.startswith("44"):
        d = "0" + d[2:]
    elif d.startswith("7") and len(d) == 10:
        d = "0" + d  # "seven seven oh oh ...", the 0 left out
    return d.startswith("0") and len(d) in (10, 11) and d[1] in "1237"  # not 08: freephone lines


def find_spoken_numbers(text: str, low: set[str], digits: bool, out: list[_Span]) -> None:
    """Phones spelled out or with every digit spaced, NHS and NI numbers after a keyword."""
    if low & _SPOKEN_WORDS or digits:
        for run in _spoken_runs(text):
            if sum(len(d) for _, _, d in run) >= 10:
                _phones_in_run(run, out)
    if digits:
        for m in _SPACED.finditer(text):
            d = re.sub(r"\D", "", m.group())
            if _phone_digits(d):
                out.append((m.start(), m.end(), "phone"))
        if "nhs" in low:
            for m in _NHS_CUE.finditer(text):
                out.append((m.start("n"), m.end("n"), "nhs"))
        if low & _NI_WORDS:
            for m in _NI_CUE.finditer(text):
                out.append((m.start("n"), m.end("n"), "ni"))


# Digits with any single separators between them: "0 7 7 0 0 9 ...", "+44 (0)7700 ...".
_SPACED = re.compile(r"(?<![\w+])(?:\+\s?|00)?\d(?:[ \-.()]{1,3}\d|\d){9,12}(?!\d)")
_NHS_CUE = re.compile(
    r"\bnhs(?:\s*(?:number|num|no\.?|n[oº]|#))?(?:\s*(?:is|was|:|-))*[\s:,]*"
    r"(?P<n>\d(?:[ \-.]?\d){9})(?!\d)",
    re.IGNORECASE,
)
_NI_WORDS = frozenset(_words("ni n.i nino insurance ins"))
_NI_CUE = re.compile(
    r"\b(?:n\.?i\.?|nino|national\s+insurance|nat\.?\s*ins\.?)"
    r"(?:\s*(?:number|num|no\.?))?(?:\s*(?:is|was|:|-))*[\s:,]*"
    r"(?P<n>[A-Za-z]{2}[ \-]?\d\d[ \-]?\d\d[ \-]?\d\d[ \-]?[A-Da-d])(?![\w])",
    re.IGNORECASE,
)

# Case and reference numbers -----------------------------------------------------------
_REF_KEY = (
    r"(?:case|ref|refs|reference|referral|file|claim|court|mosaic|lcs|eclipse|id|cp|cin|"
    r"complaint|family|child|person|achos|rhif|cyf|crn|urn|upn)"
)
_REF_FILL = r"(?:\s*(?:no\.?|number|num|nr|id|ref|reference|#|is|was|on\s+the\s+letter|:|-|\.))*"
# A code: groups of letters and digits joined by "/", "-" or a single space, with digits.
_CODE = r"(?P<c>(?:(?-i:[A-Z]{1,4})[ /\-]?)?\d[\dA-Za-z]*(?:(?:[ ]|[/\-])(?:(?-i:[A-Z]{1,4})|\d[\dA-Za-z]*))*)"
_REF_CUE = re.compile(rf"\b{_REF_KEY}\b{_REF_FILL}\s*{_CODE}", re.IGNORECASE)
# Codes that are references wherever they appear.
_REF_SHAPE = re.compile(
    r"(?<![\w/\-])(?:"
    r"[A-Za-z]{2}\d{2}[A-Za-z]\d{5}"  # court case numbers: ZW21C00412
    r"|[A-Za-z]{1,5}(?:[/\-][A-Za-z]{1,5})*[/\-]\d{3,}(?:[/\-][\dA-Za-z]+)*"  # CS-2023-04417
    r"|\d{2,4}[/\-][A-Za-z]{1,5}[/\-]\d{3,}"  # 2023/CIN/00871
    r")(?![\w/\-])"
)
_YEARISH = re.compile(r"(?:19|20)\d\d(?:[/\-]\d\d){0,2}")


def _code_end(text: str, start: int, end: int) -> int:
    """Trim trailing words that are not part of a code ("4471823 on", "CP 2022 and")."""
    m = re.match(r"[^\s]*(?:\s[^\s]*)*", text[start:end])
    code = m.group() if m else text[start:end]
    parts = code.split(" ")
    while len(parts) > 1 and not any(c.isdigit() for c in parts[-1]) and len(parts[-1]) > 1:
        parts.pop()
    return start + len(" ".join(parts))


def find_references(text: str, low: set[str], out: list[_Span]) -> None:
    """Case, reference and file numbers (``text`` has a digit)."""
    for m in _REF_CUE.finditer(text):
        start, end = m.start("c"), _code_end(text, m.start("c"), m.end("c"))
        code = text[start:end]
        digits = sum(c.isdigit() for c in code)
        if digits >= 4 and not _YEARISH.fullmatch(code):
            out.append((start, end, "case"))
    for m in _REF_SHAPE.finditer(text):
        code = m.group()
        if sum(c.isdigit() for c in code) >= 4 and not _YEARISH.fullmatch(code):
            out.append((m.start(), m.end(), "case"))
