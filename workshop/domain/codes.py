"""Join codes and receipt codes: short, easy to read aloud, hard to guess.

Join codes use an alphabet without look-alike characters (no 0/O, 1/I/L, 2/Z, 5/S, 8/B),
so a code read off a projector from the back of a room is typed right first time.
Receipt codes carry about 47.5 bits of entropy (10 characters from 27, again without look-alikes), enough that
nobody can guess another participant's code.
"""

from __future__ import annotations

import hashlib
import re
import secrets

JOIN_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_LENGTH = 6
# No look-alikes: I, L, O, 0 and 1 are left out, and so are B, S, Z and G, which are easily
# read as 8, 5, 2 and 6 (a typed B, S, Z or G is read as that digit).
RECEIPT_ALPHABET = "ACDEFHJKMNPQRTUVWXY23456789"
RECEIPT_LENGTH = 10
RECEIPT_LOOKALIKES = str.maketrans({"B": "8", "S": "5", "Z": "2", "G": "6"})
# Receipt codes given by earlier versions could hold B, S, Z and G as letters.
_OLD_RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_join_code() -> str:
    """Return a random six-character join code."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))


def normalise_join_code(raw: str) -> str | None:
    """Return the canonical form of a typed join code, or None if it cannot be one."""
    code = _SEPARATORS.sub("", raw or "").upper()
    if len(code) != JOIN_LENGTH or any(c not in JOIN_ALPHABET for c in code):
        return None
    return code


def new_receipt_code() -> str:
    """Return a random receipt code, grouped for writing down: ``ABCDE-FGHJK``."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_receipt_code(raw: str) -> str | None:
    """Return the canonical grouped form of a typed receipt code, or None.

    A look-alike letter is read as its digit (B as 8, S as 5, Z as 2, G as 6).
    """
    code = _SEPARATORS.sub("", raw or "").upper().translate(RECEIPT_LOOKALIKES)
    if len(code) != RECEIPT_LENGTH or any(c not in RECEIPT_ALPHABET for c in code):
        return None
    return f"{code[:5]}-{code[5:]}"


def receipt_code_forms(raw: str) -> list[str]:
    """Every canonical form a typed receipt code may have been given in: today's, and, for a
    code given before look-alike letters were left out, the letters as typed."""
    forms = []
    current = normalise_receipt_code(raw)
    if current is not None:
        forms.append(current)
    code = _SEPARATORS.sub("", raw or "").upper()
    if len(code) == RECEIPT_LENGTH and all(c in _OLD_RECEIPT_ALPHABET for c in code):
        old = f"{code[:5]}-{code[5:]}"
        if old not in forms:
            forms.append(old)
    return forms


def receipt_hash(code: str) -> str:
    """Return the stored form of a canonical receipt code (we keep only this hash)."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def new_token(nbytes: int = 24) -> str:
    """Return an unguessable URL-safe token."""
    return secrets.token_urlsafe(nbytes)
