"""Bring a stored record of an older version up to this one, without its raw answers.

A record kept at the end of the retention period (the "purge" snapshot) cannot be built again:
the answers it came from are gone. So an older snapshot is converted, never rebuilt.

1.0 -> 2.0: version 1.0 sized each group of a breakdown by the people in it who *joined*;
2.0 sizes it by the people who *answered* the question. Each group of 1.0 kept both counts,
so a breakdown can be kept when it is exactly as safe under the new rule: every group shown
on its own has at least k people who answered, and every person in the merged "other" group
answered (its two counts are equal, so the 1.0 merge, made for those counts, still holds).
Any other breakdown is withdrawn (``possible`` false, no groups): it cannot be re-made safe
without the answers, and the overall counts of the question are kept either way. 2.0 also
states whether the team chose to keep comments after the retention period; a 1.0 record
predates that choice, so it says they were not kept.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .build import RECORD_VERSION


def _breakdown_2_0(breakdown: dict[str, Any], k: int) -> dict[str, Any]:
    groups = breakdown.get("groups") or []
    safe = all(
        g["answered"] >= k and (not g["merged"] or g["answered"] == (g["joined"] or {}).get("count")) for g in groups
    )
    if not breakdown.get("possible") or not safe:
        return {"possible": False, "groups": []}
    return {"possible": True, "groups": [{key: v for key, v in g.items() if key != "joined"} for g in groups]}


def _walk(value: Any, k: int) -> Any:
    if isinstance(value, dict):
        if set(value) == {"possible", "groups"}:
            return _breakdown_2_0(value, k)
        return {key: _walk(v, k) for key, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, k) for v in value]
    return value


def upgrade_record(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return ``record`` in this version's shape, or None if its version cannot be converted."""
    version = record.get("record_version")
    if version == RECORD_VERSION:
        return copy.deepcopy(dict(record))
    if version != "1.0":
        return None
    upgraded: dict[str, Any] = _walk(copy.deepcopy(dict(record)), int(record["methods"]["k_threshold"]))
    upgraded.setdefault("methods", {})["comments_kept_after_retention"] = False
    upgraded["record_version"] = RECORD_VERSION
    return upgraded
