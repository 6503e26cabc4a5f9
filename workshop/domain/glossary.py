"""Find the glossary words a card uses, so the card can explain them in place."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache


@lru_cache(maxsize=256)
def _pattern(term: str) -> re.Pattern[str]:
    # "Artificial intelligence (AI)" is found as either "artificial intelligence" or "AI".
    main = re.sub(r"\s*\(.*?\)", "", term).strip()
    extra = re.findall(r"\((.*?)\)", term)
    words = [re.escape(w) for w in [main, *extra] if w]
    alternatives = "|".join(w.replace(r"\ ", r"[\s-]+") for w in words)
    flags = 0 if any(w.isupper() and len(w) <= 4 for w in [main, *extra]) else re.IGNORECASE
    return re.compile(rf"\b(?:{alternatives})(?:s|es)?\b", flags)


def terms_in(texts: Iterable[str], glossary: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the glossary entries whose term appears in any of the texts, in glossary order."""
    joined = "\n".join(t for t in texts if t)
    return [(term, meaning) for term, meaning in glossary if _pattern(term).search(joined)]
