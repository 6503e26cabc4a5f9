"""Rendering a record to files: canonical JSON, tidy CSV tables, manifests and zip bundles.

Pure (standard library only). Works on the record's plain ``as_dict()`` form, so a stored
snapshot renders exactly like a fresh record.

Integrity, the decision: the record's identity is the SHA-256 of its *canonical JSON*
(keys sorted, no spaces, UTF-8, see :func:`canonical_json`). ``record.json`` in a JSON
export is exactly those bytes, so ``sha256sum record.json`` gives the record's hash, and the
CSV and PDF exports state the same hash. Times of export live in the manifest, never in the
record, so exporting the same record twice gives the same hash. Every bundle is a zip with
``manifest.json`` (versions, time made, the SHA-256 of each file) and ``SHA256SUMS`` (the
same hashes in ``sha256sum`` format), so ``sha256sum -c SHA256SUMS`` checks it. A hash shows
that a file was changed after export; it cannot prove who made it (anyone can recompute it),
so compare ``record_sha256`` with the one the app shows for the finalised record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

MANIFEST_VERSION = 1
CSV_BOM = "\ufeff"  # so spreadsheet programs read the files as UTF-8
# A cell starting with one of these can run as a formula in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def canonical_json(data: Any) -> bytes:
    """Return the one canonical byte form of a JSON value (sorted keys, compact, UTF-8)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_sha256(record: Mapping[str, Any]) -> str:
    """Return the SHA-256 of a record's canonical JSON: the record's identity."""
    return sha256_hex(canonical_json(record))


# --------------------------------------------------------------------------- manifest and bundles


def versions_used(record: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the packs and the cards (with versions) a record's workshops used."""
    packs = [{"id": p["id"], "version": p["version"], "title": p["title"]} for p in record["methods"]["packs"]]
    cards = [
        {
            "use_case_id": u["id"],
            "title": u["title"],
            "version": shown["version"],
            "library_id": shown["card"].get("library_id"),
        }
        for u in record["use_cases"]
        for shown in u["cards_shown"]
    ]
    return packs, cards


def build_manifest(
    record: Mapping[str, Any],
    files: Mapping[str, bytes],
    *,
    export_format: str,
    generated_at: datetime,
    generator: str,
    finalised_sha256: str | None = None,
) -> dict[str, Any]:
    """Describe an export: what it is, when it was made, and the SHA-256 of each file."""
    packs, cards = versions_used(record)
    return {
        "manifest_version": MANIFEST_VERSION,
        "record_version": record["record_version"],
        "format": export_format,
        "generated_at": generated_at.replace(microsecond=0).isoformat(),
        "generator": generator,
        "consultation": {"id": record["consultation"]["id"], "title": record["consultation"]["title"]},
        "record_sha256": record_sha256(record),
        "finalised_record_sha256": finalised_sha256,
        "files": {name: sha256_hex(data) for name, data in sorted(files.items())},
        "packs": packs,
        "cards": cards,
    }


def sha256sums(files: Mapping[str, bytes]) -> bytes:
    """Return a ``sha256sum -c`` file for the given files."""
    return "".join(f"{sha256_hex(data)}  {name}\n" for name, data in sorted(files.items())).encode("utf-8")


def zip_bundle(files: Mapping[str, bytes], manifest: Mapping[str, Any], when: datetime) -> bytes:
    """Zip files with manifest.json and SHA256SUMS (fixed order and times: same input, same bytes)."""
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"
    members = dict(sorted(files.items()))
    members["manifest.json"] = manifest_bytes
    members["SHA256SUMS"] = sha256sums({**files, "manifest.json": manifest_bytes})
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, data)
    return out.getvalue()


def verify_bundle(data: bytes) -> list[str]:
    """Check a bundle against its own manifest; return the problems found (empty: all is well)."""
    problems: list[str] = []
    try:
        bundle = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return ["This is not a zip file."]
    with bundle:
        names = set(bundle.namelist())
        if "manifest.json" not in names:
            return ["The zip has no manifest.json."]
        try:
            manifest = json.loads(bundle.read("manifest.json"))
        except ValueError:
            return ["manifest.json is not valid JSON."]
        listed = manifest.get("files") or {}
        for name, expected in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name} is listed in the manifest but missing.")
            elif sha256_hex(bundle.read(name)) != expected:
                problems.append(f"{name} has changed: its SHA-256 does not match the manifest.")
        for name in sorted(names - set(listed) - {"manifest.json", "SHA256SUMS"}):
            problems.append(f"{name} is not listed in the manifest.")
        if "record.json" in names and "record.json" in listed:
            raw = bundle.read("record.json")
            try:
                if canonical_json(json.loads(raw)) != raw:
                    problems.append("record.json is not in canonical form.")
            except ValueError:
                problems.append("record.json is not valid JSON.")
            if sha256_hex(raw) != manifest.get("record_sha256"):
                problems.append("record.json does not match the manifest's record_sha256.")
    return problems


# --------------------------------------------------------------------------- CSV tables


def _cell(value: Any) -> Any:
    """One CSV cell. Every text cell is escaped here, so no table can forget it (titles, roles...)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return _text(";".join(str(v) for v in value))
    if isinstance(value, str):
        return _text(value)
    return value


def _text(value: str) -> str:
    """Free text, made safe to open in a spreadsheet (a leading ' stops formulas)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    out.write(CSV_BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        if len(row) != len(header):  # a row out of step with its columns would misfile every value
            raise ValueError(f"a CSV row has {len(row)} values for {len(header)} columns: {header[0]}...")
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


RESULT_COLUMNS = (
    "use_case_id",
    "use_case_title",
    "section",
    "question_id",
    "question_key",
    "prompt_type",
    "phase",
    "breakdown",
    "group",
    "merged_groups",
    "group_answered",
    "option_key",
    "option_label",
    "count",
    "display",
    "mean",
)


def _question_rows(uc: Mapping[str, Any], section: str, q: Mapping[str, Any]) -> list[list[Any]]:
    hidden_display = q["answered"]["display"]
    common = [uc["id"], uc["title"], section, q["id"], q["key"], q["prompt_type"], q["phase"]]
    rows = []
    for option in q["options"]:
        n = option["count"]
        rows.append(
            [
                *common,
                "all",
                "",
                "",
                q["answered"]["count"],
                option["key"],
                option["label"],
                n,
                str(n) if n is not None else hidden_display,
                q["mean"],
            ]
        )
    for breakdown in ("by_role", "by_workshop"):
        for group in q[breakdown]["groups"]:
            for option in group["options"]:
                rows.append(
                    [
                        *common,
                        breakdown[3:],
                        group["label"],
                        group["merged"],
                        group["answered"],
                        option["key"],
                        option["label"],
                        option["count"],
                        str(option["count"]),
                        None,
                    ]
                )
    return rows


def csv_tables(record: Mapping[str, Any]) -> dict[str, bytes]:
    """Return one tidy CSV table per kind of observation in the record (file name -> bytes)."""
    tables: dict[str, bytes] = {}
    part = record["participation"]
    prow: list[list[Any]] = [
        ["consultation", "", "", "joined", "", "", part["joined"]["count"], part["joined"]["display"]],
        ["consultation", "", "", "consented", "", "", part["consented"]["count"], part["consented"]["display"]],
        ["consultation", "", "", "withdrew", "", "", part["withdrew"], str(part["withdrew"])],
    ]
    for measure, groups in (
        ("joined_by_role", part["by_role"]),
        ("joined_by_workshop", part["by_workshop"]),
        ("joined_by_way", part["by_way"]),
        ("joined_by_language", part["by_language"]),
    ):
        for g in groups["groups"]:
            prow.append(["consultation", "", "", measure, g["label"], g["merged"], g["count"], g["display"]])
    for uc in record["use_cases"]:
        up = uc["consent"]["participation"]
        prow.append(["use_case", uc["id"], "", "joined", "", "", up["joined"]["count"], up["joined"]["display"]])
        prow.append(
            ["use_case", uc["id"], "", "consented", "", "", up["consented"]["count"], up["consented"]["display"]]
        )
        for step in up["steps"]:
            prow.append(
                [
                    "use_case",
                    uc["id"],
                    step["question_id"],
                    "answered",
                    "",
                    "",
                    step["answered"]["count"],
                    step["answered"]["display"],
                ]
            )
    tables["participation.csv"] = _csv(
        ("scope", "use_case_id", "question_id", "measure", "group", "merged_groups", "count", "display"), prow
    )

    positions: list[list[Any]] = []
    grounds: list[list[Any]] = []
    movement: list[list[Any]] = []
    concern: list[list[Any]] = []
    for uc in record["use_cases"]:
        consent = uc["consent"]
        for section in ("before", "positions"):
            if consent[section] is not None:
                positions += _question_rows(uc, section, consent[section])
        hidden = consent["positions"]["answered"]["display"] if consent["positions"] else ""
        for g in consent["objections"]["grounds"]:
            grounds.append(
                [
                    uc["id"],
                    uc["title"],
                    g["key"],
                    g["label"],
                    g["count"],
                    str(g["count"]) if g["count"] is not None else hidden,
                ]
            )
        if consent["movement"] is not None:
            for m in consent["movement"]["moves"]:
                movement.append([uc["id"], uc["title"], m["before"], m["after"], m["count"]])
        for section in ("values", "stages", "scales", "choices"):
            for q in uc["concern"][section]:
                concern += _question_rows(uc, section, q)
        for v in uc["concern"]["comment_values"]:
            concern.append(
                [
                    uc["id"],
                    uc["title"],
                    "comment_values",
                    "",
                    "",
                    "",
                    "",
                    "all",
                    "",
                    "",
                    "",
                    v["key"],
                    v["label"],
                    v["count"],
                    str(v["count"]),
                    None,
                ]
            )
    tables["consent_positions.csv"] = _csv(RESULT_COLUMNS, positions)
    tables["consent_objection_grounds.csv"] = _csv(
        ("use_case_id", "use_case_title", "ground_key", "ground_label", "count", "display"), grounds
    )
    tables["consent_movement.csv"] = _csv(("use_case_id", "use_case_title", "before", "after", "count"), movement)
    tables["concern_results.csv"] = _csv(RESULT_COLUMNS, concern)

    comments: list[list[Any]] = []

    def add(uc_id: Any, record_type: str, items: Iterable[Mapping[str, Any]]) -> None:
        for c in items:
            comments.append(
                [
                    c["id"],
                    uc_id,
                    record_type,
                    c["kind"],
                    c["step_key"],
                    _text(c["question"]),
                    _text(c["text"]),
                    c["values"],
                    c["me_too"],
                    c["register_items"],
                ]
            )

    for uc in record["use_cases"]:
        add(uc["id"], "consent", uc["consent"]["conditions"])
        add(uc["id"], "consent", uc["consent"]["objections"]["reasons"])
        add(uc["id"], "concern", uc["concern"]["comments"])
    add("", "general", record["general_comments"])
    tables["comments.csv"] = _csv(
        (
            "comment_id",
            "use_case_id",
            "record",
            "kind",
            "step_key",
            "question",
            "text",
            "values",
            "me_too",
            "register_items",
        ),
        comments,
    )

    tables["register.csv"] = _csv(
        (
            "item_id",
            "use_case_id",
            "use_case_title",
            "kind",
            "text",
            "classification",
            "owner",
            "response",
            "status",
            "decline_reason",
            "source_comments",
            "me_too",
        ),
        (
            [
                r["id"],
                r["use_case_id"],
                r["use_case_title"],
                r["kind"],
                _text(r["text"]),
                r["classification"],
                _text(r["owner"]),
                _text(r["response"]),
                r["status"],
                _text(r["decline_reason"]),
                r["sources"],
                r["me_too"],
            ]
            for r in record["register"]
        ),
    )
    tables["workshops.csv"] = _csv(
        (
            "workshop_id",
            "title",
            "pack_id",
            "pack_version",
            "status",
            "moderation",
            "started_at",
            "ended_at",
            "withdrew",
            "shown_sequence",
        ),
        (
            [
                w["id"],
                _text(w["title"]),
                w["pack_id"],
                w["pack_version"],
                w["status"],
                w["moderation"],
                w["started_at"],
                w["ended_at"],
                w["withdrew"],
                w["shown"],
            ]
            for w in record["workshops"]
        ),
    )
    tables["moderation.csv"] = _csv(
        ("action", "reason", "count"), ([m["action"], m["reason"], m["count"]] for m in record["moderation"])
    )
    shown_rows = []
    for seq in record["shown"]:
        for s in seq["steps"]:
            c = s["content"]
            card = c.get("card") if s["kind"] == "card" else None
            options = [f"{o.get('key')}={o.get('label')}" for o in c.get("options", []) or []]
            shown_rows.append(
                [
                    seq["id"],
                    seq["workshops"],
                    s["position"],
                    s["kind"],
                    s["key"],
                    s["prompt_type"],
                    s["use_case_id"],
                    card.get("version") if card else None,
                    _text(str(card.get("title", "")) if card else str(c.get("title", ""))),
                    _text(str(c.get("text", ""))),
                    _text(str(c.get("question", ""))),
                    options,
                    c.get("labels", []),
                ]
            )
    tables["steps_shown.csv"] = _csv(
        (
            "sequence_id",
            "workshops",
            "position",
            "kind",
            "step_key",
            "prompt_type",
            "use_case_id",
            "card_version",
            "title",
            "text",
            "question",
            "options",
            "labels",
        ),
        shown_rows,
    )
    return tables
