"""Find and redact personal details in free-text comments before anyone else sees them.

A comment typed on a phone in a workshop may name a child, a social worker, a school or a
street, or contain a phone number, email address, postcode, NHS or National Insurance
number, case or reference number, social media handle, date of birth or link.
:class:`Redactor` finds these *without any list* (context rules, name gazetteers and
patterns; see :mod:`.people`, :mod:`.places`, :mod:`.spoken`); a facilitator's list of names is an extra. Each is replaced with a
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

from collections.abc import Iterable
from functools import lru_cache

from .base import _LABEL, _WORD_TOKEN, KINDS, Finding, Redacted, _merge, _Span
from .contact import find_handles, find_links, find_spoken_emails
from .lexicon import lexicon
from .listed import _compile_names
from .normalise import normalise
from .numbers import _BORN_WORDS, _HAS_DIGIT, _MONTH_WORDS, find_born, find_numbers
from .people import find_people
from .places import find_places
from .spoken import find_references, find_spoken_numbers
from .streets import find_more_places

__all__ = ["KINDS", "Finding", "Redacted", "Redactor", "redact"]


class Redactor:
    """Redacts personal details. Build one per workshop (its list of names), reuse it.

    The names list is an extra: details are found without it. The gazetteers are loaded
    once per process, the first time a redactor is built.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._names, self._name_words = _compile_names(names)
        lexicon()

    def find(self, text: str) -> tuple[Finding, ...]:
        """Return the (merged, non-overlapping) findings in ``text``, in order."""
        view = normalise(text)
        screen = view.text
        out: list[_Span] = []
        words = set(_WORD_TOKEN.findall(screen))
        low = {w.lower() for w in words}
        digits = _HAS_DIGIT.search(screen) is not None

        if self._names is not None and not low.isdisjoint(self._name_words):
            for m in self._names.finditer(screen):
                out.append((m.start(), m.end(), "name"))
        if digits:
            find_numbers(screen, low, out)
        elif not low.isdisjoint(_BORN_WORDS) and not low.isdisjoint(_MONTH_WORDS):
            find_born(screen, out)
        find_spoken_numbers(screen, low, digits, out)
        if digits:
            find_references(screen, low, out)
        find_places(screen, words, low, digits, out)
        find_more_places(screen, low, out)
        find_links(screen, low, out)
        find_spoken_emails(screen, low, out)
        find_handles(screen, low, out)
        find_people(screen, out)

        if not out:
            return ()
        if "[" in screen:
            labels = [(m.start(), m.end()) for m in _LABEL.finditer(screen)]
            if labels:
                out = [s for s in out if not any(s[0] < le and ls < s[1] for ls, le in labels)]
                if not out:
                    return ()
        merged = _merge(out)
        if view.text is text:
            return merged
        return tuple(Finding(f.kind, *view.span(f.start, f.end)) for f in merged)

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


@lru_cache(maxsize=32)
def _redactor_for(names: tuple[str, ...]) -> Redactor:
    return Redactor(names)


def redact(text: str, names: Iterable[str] = ()) -> Redacted:
    """Redact ``text`` using a cached :class:`Redactor` for this list of names."""
    return _redactor_for(tuple(names)).redact(text)
