"""Counting answers to one prompt, from per-key counts the database grouped for us.

The database returns ``{key: count}`` for a step (one GROUP BY over an index), so the
cost of a tally depends on the number of distinct answers, not the number of phones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .vocabulary import POSITIONS, VALUES


@dataclass(frozen=True)
class OptionCount:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Tally:
    answered: int
    options: tuple[OptionCount, ...]
    multiple: bool = False
    mean: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "answered": self.answered,
            "multiple": self.multiple,
            "mean": self.mean,
            "options": [{"key": o.key, "label": o.label, "count": o.count} for o in self.options],
        }


def option_labels(prompt_type: str, content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the (key, label) pairs a prompt offers, in the order they are shown."""
    if prompt_type == "position":
        return list(POSITIONS.items())
    if prompt_type == "values":
        return list(VALUES.items())
    if prompt_type == "scale":
        labels = content.get("labels") or [""] * 5
        return [(str(n), f"{n} - {labels[n - 1]}") for n in range(1, 6)]
    if prompt_type == "choice":
        return [(o["key"], o["label"]) for o in content.get("options", [])]
    return []


def tally(prompt_type: str, content: Mapping[str, Any], key_counts: Mapping[str | None, int]) -> Tally:
    """Count answers per option from the number of answers with each stored key."""
    answered = sum(key_counts.values())
    per_key: dict[str, int] = {}
    for key, count in key_counts.items():
        for part in (key or "").split(","):
            if part:
                per_key[part] = per_key.get(part, 0) + count
    options = tuple(OptionCount(k, label, per_key.get(k, 0)) for k, label in option_labels(prompt_type, content))
    mean = None
    if prompt_type == "scale" and answered:
        mean = round(sum(int(k) * c for k, c in per_key.items()) / answered, 2)
    multiple = prompt_type == "values" or (prompt_type == "choice" and bool(content.get("multiple")))
    return Tally(answered, options, multiple, mean)
