"""Proof of being in the room, single-use invitations, and the join-rate alarm: pure functions.

Design decisions:

* The **presence code** is derived, never stored: HMAC-SHA256 of the minute number under a
  per-workshop secret, cut to ``PRESENCE_DIGITS`` digits. The projector shows this minute's
  code (and its QR carries it); a phone's code is accepted for this minute and the last one,
  so someone who scanned at 10:00:59 still gets in at 10:01:30. Nothing is kept per code.
* **Invitation codes** (for a self-paced round) are random, shown once on a printed card, and
  kept only as hashes. Using one marks its hash used; nothing links it to the participant it
  let in, and no time is kept.
* The **join-rate alarm** counts joins in a sliding window: a room of people scanning a QR
  code rarely manages more than two or three a second, so many more is a script.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

PRESENCE_DIGITS = 5
PRESENCE_PERIOD = 60  # seconds a presence code is shown for
INVITE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
INVITE_LENGTH = 10
TABLET_LENGTH = 6
PROTECTIONS = ("presence", "invitation", "open")
PROTECTION_LABELS = {
    "presence": "Presence code on the big screen (people in the room)",
    "invitation": "Single-use invitation codes (a self-paced round)",
    "open": "Open link: anyone with the code could join",
}

_NOT_DIGITS = re.compile(r"[^0-9]")  # ASCII only: compare_digest refuses other digits
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_secret() -> str:
    """Return a fresh per-workshop secret for presence codes."""
    return secrets.token_hex(32)


def minute_of(moment: datetime) -> int:
    """Return the number of the presence period ``moment`` falls in."""
    return int(moment.timestamp()) // PRESENCE_PERIOD


def presence_code(secret: str, minute: int) -> str:
    """Return the presence code for one minute: ``PRESENCE_DIGITS`` digits, leading zeros kept."""
    digest = hmac.new(secret.encode(), f"presence:{minute}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") % 10**PRESENCE_DIGITS
    return f"{number:0{PRESENCE_DIGITS}d}"


def seconds_left(moment: datetime) -> int:
    """Return how many whole seconds this minute's code is still shown for (1 to 60)."""
    return PRESENCE_PERIOD - int(moment.timestamp()) % PRESENCE_PERIOD


def normalise_presence(raw: str | None) -> str | None:
    """Return typed digits without spaces or dashes, or None if that cannot be a presence code."""
    text = _SEPARATORS.sub("", raw or "")
    if len(text) != PRESENCE_DIGITS or _NOT_DIGITS.search(text):
        return None
    return text


def presence_ok(secret: str, raw: str | None, moment: datetime) -> bool:
    """True if ``raw`` is the code of this minute or the one before."""
    typed = normalise_presence(raw)
    if typed is None:
        return False
    now = minute_of(moment)
    return any(hmac.compare_digest(typed, presence_code(secret, m)) for m in (now, now - 1))


def new_invitation_code() -> str:
    """Return a random invitation code grouped for reading: ``ACDEF-GHJKM`` (about 46 bits)."""
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_invitation(raw: str | None) -> str | None:
    """Return the canonical form of a typed invitation code, or None."""
    code = _SEPARATORS.sub("", raw or "").upper()
    if len(code) != INVITE_LENGTH or any(c not in INVITE_ALPHABET for c in code):
        return None
    return f"{code[:5]}-{code[5:]}"


def invitation_hash(workshop_id: int, code: str) -> str:
    """Return the stored form of a canonical invitation code (only this is ever kept)."""
    return hashlib.sha256(f"invite:{workshop_id}:{code}".encode()).hexdigest()


def new_tablet_code() -> str:
    """Return a one-time code for enrolling a shared tablet (six characters, easy to type)."""
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(TABLET_LENGTH))


def normalise_tablet(raw: str | None) -> str | None:
    """Return the canonical form of a typed tablet code, or None."""
    code = _SEPARATORS.sub("", raw or "").upper()
    if len(code) != TABLET_LENGTH or any(c not in INVITE_ALPHABET for c in code):
        return None
    return code


def tablet_hash(code: str) -> str:
    """Return the stored form of a canonical tablet code."""
    return hashlib.sha256(f"tablet:{code}".encode()).hexdigest()


def suggested_cap(expected: int) -> int:
    """Return the join cap to suggest for an expected attendance: a tenth more, at least two more."""
    return expected + max(2, -(-expected // 10))


@dataclass(frozen=True)
class JoinAlarm:
    over_expected: bool
    burst: int  # the most joins seen in any window of ``window`` seconds
    burst_start: datetime | None
    burst_end: datetime | None

    @property
    def raised(self) -> bool:
        return self.over_expected or self.burst_start is not None


def join_alarm(times: Sequence[datetime], expected: int | None, *, window: float = 10.0, limit: int = 20) -> JoinAlarm:
    """Look at phone join times (sorted) for too many people or too many too fast.

    ``burst_start``/``burst_end`` span every join inside windows holding more than ``limit``
    joins (merged when they touch), so the console can offer to void exactly that stretch.
    """
    best, start_i, spans = 0, 0, []
    for end_i, moment in enumerate(times):
        while (moment - times[start_i]).total_seconds() > window:
            start_i += 1
        size = end_i - start_i + 1
        best = max(best, size)
        if size > limit:
            spans.append((times[start_i], moment))
    first = min((s for s, _ in spans), default=None)
    last = max((e for _, e in spans), default=None)
    return JoinAlarm(expected is not None and len(times) > expected, best, first, last)


def in_window(times: Iterable[datetime], start: datetime, end: datetime) -> int:
    """Count the moments in ``[start, end]``."""
    return sum(1 for t in times if start <= t <= end)
