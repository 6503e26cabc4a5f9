"""Validation of answers from phones, one rule set for the socket and the form paths.

An answer arrives as a small mapping. ``check_answer`` returns the normalised value, the
categorical key used for counting, and any free text (conditions, an objection's reason, a
comment) that must go through redaction and moderation. Bad input raises ``AnswerError``
with a plain-English message and changes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .vocabulary import CONDITIONS_MAX, OBJECTION_GROUNDS, POSITIONS, TEXT_MAX, VALUES


class AnswerError(ValueError):
    """An answer we cannot accept. The message is shown to the participant."""


@dataclass(frozen=True)
class FreeText:
    kind: str  # comment | condition | objection
    text: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckedAnswer:
    key: str | None
    value: dict[str, Any]
    texts: tuple[FreeText, ...] = field(default=())


_DROP = {"Cc", "Cs", "Co", "Cn"}  # control, lone surrogate, private use, unassigned
# Nothing a reader can see: format characters (zero-width spaces and joiners, direction
# marks), separators, and combining marks with nothing to sit on.
_INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Cc", "Cs", "Co", "Cn"}
_BLANK_SYMBOLS = {"\u2800", "\u3164", "\uffa0", "\u115f", "\u1160"}  # braille blank, Hangul fillers


def visible(text: str) -> bool:
    """True if the text has at least one character a reader can see."""
    return any(unicodedata.category(ch) not in _INVISIBLE and ch not in _BLANK_SYMBOLS for ch in text)


def _text(raw: Any, what: str, *, required: bool) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise AnswerError(f"Your {what} was not sent as text. Please try again.")
    # Control characters (NUL and the like) never belong in an answer; line breaks and tabs
    # become spaces below, with the rest of the white space.
    text = " ".join("".join(ch for ch in raw if unicodedata.category(ch) not in _DROP).split())
    if text and not visible(text):
        raise AnswerError(f"Your {what} has no letters or numbers we can see. Please write it again.")
    if required and not text:
        raise AnswerError(f"Please write your {what}, or choose another answer.")
    if len(text) > TEXT_MAX:
        raise AnswerError(f"Your {what} is too long. Please keep it under {TEXT_MAX} characters.")
    return text


def _keys(raw: Any, allowed: Mapping[str, str], what: str) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise AnswerError(f"Please choose from the {what} shown.")
    unknown = [x for x in raw if x not in allowed]
    if unknown:
        raise AnswerError(f"Please choose from the {what} shown.")
    # Keep the order the options are shown in, without repeats.
    return [k for k in allowed if k in raw]


def check_answer(prompt_type: str, content: Mapping[str, Any], payload: Any) -> CheckedAnswer:
    """Validate an answer to a prompt of the given type and wording."""
    if not isinstance(payload, Mapping):
        raise AnswerError("We could not read your answer. Please try again.")
    if prompt_type == "position":
        position = payload.get("position")
        if not isinstance(position, str) or position not in POSITIONS:  # a list or dict is not hashable
            raise AnswerError("Please choose one of the answers.")
        if position == "conditions":
            raw = payload.get("conditions")
            items = raw if isinstance(raw, list) else [raw]
            if len(items) > CONDITIONS_MAX:
                raise AnswerError(f"Please give at most {CONDITIONS_MAX} conditions.")
            conditions = [t for t in (_text(x, "condition", required=False) for x in items) if t]
            if not conditions:
                raise AnswerError("Please write at least one condition, or choose another answer.")
            return CheckedAnswer(position, {"position": position}, tuple(FreeText("condition", c) for c in conditions))
        if position == "object":
            reason = _text(payload.get("reason"), "reason", required=False)
            grounds = payload.get("ground") or None
            if grounds is not None and (not isinstance(grounds, str) or grounds not in OBJECTION_GROUNDS):
                raise AnswerError("Please choose from the reasons shown.")
            value: dict[str, Any] = {"position": position}
            if grounds:
                value["ground"] = grounds
            texts = (FreeText("objection", reason, (grounds,) if grounds in VALUES else ()),) if reason else ()
            return CheckedAnswer(position, value, texts)
        return CheckedAnswer(position, {"position": position})
    if prompt_type == "scale":
        raw = payload.get("scale")
        try:
            number = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
            raise AnswerError("Please choose a number from 1 to 5.") from None
        if not 1 <= number <= 5 or isinstance(raw, bool):
            raise AnswerError("Please choose a number from 1 to 5.")
        return CheckedAnswer(str(number), {"scale": number})
    if prompt_type == "choice":
        options = {o["key"]: o["label"] for o in content.get("options", [])}
        keys = _keys(payload.get("choices"), options, "options")
        if not keys:
            raise AnswerError("Please choose an option.")
        if len(keys) > 1 and not content.get("multiple"):
            raise AnswerError("Please choose just one option.")
        return CheckedAnswer(",".join(keys), {"choices": keys})
    if prompt_type == "values":
        keys = _keys(payload.get("values"), VALUES, "values")
        if not keys:
            raise AnswerError("Please choose at least one value.")
        return CheckedAnswer(",".join(keys), {"values": keys})
    if prompt_type == "text":
        text = _text(payload.get("text"), "comment", required=True)
        tags: list[str] = []
        if content.get("tag_values") and payload.get("values"):
            tags = _keys(payload.get("values"), VALUES, "values")
        return CheckedAnswer(None, {"text": True, "values": tags}, (FreeText("comment", text, tuple(tags)),))
    raise AnswerError("This step does not take answers.")
