"""Packs and use-case cards: validation of their data, and expansion into workshop steps.

Pure: takes the mappings a YAML parser produced and returns frozen values, or raises
``PackError`` naming the file, the step and the field. A library with one bad file is
rejected whole: the app refuses to start rather than half-load it. The schema is
documented in docs/packs.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .vocabulary import LIFECYCLE, N_, PARTICIPATION_LEVELS, PROMPT_TYPES

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

CARD_FIELDS: dict[str, str] = {
    "title": N_("Title"),
    "summary": N_("In short"),
    "benefit": N_("What it is meant to do well"),
    "computer_does": N_("What the computer would do"),
    "decision": N_("The decision it feeds"),
    "data_used": N_("The data it uses"),
    "who_affected": N_("Who is affected"),
    "wrong_false_alarm": N_("If it is wrong one way: a false alarm"),
    "wrong_missed": N_("If it is wrong the other way: a missed child"),
    "who_sees": N_("Who sees what it says"),
    "challenge": N_("How a family can find out and challenge it"),
    "parallel": N_("A real example"),
}
CARD_OPTIONAL = frozenset({"parallel"})
# Card fields read by participants (all but the real-world parallel, which cites sources).
CARD_PARTICIPANT_FIELDS = tuple(k for k in CARD_FIELDS if k != "parallel")


class PackError(ValueError):
    """A pack or card file is not valid. The message names file, step and field."""

    def __init__(self, file: str, message: str, *, step: str | None = None, field: str | None = None):
        self.file, self.step, self.field, self.detail = file, step, field, message
        where = [f"file {file}"]
        if step:
            where.append(f"step {step}")
        if field:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class Card:
    id: str
    version: int
    fields: Mapping[str, str]

    @property
    def title(self) -> str:
        return self.fields["title"]


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    notes: str
    title: str = ""
    text: str = ""
    type: str | None = None
    question: str = ""
    labels: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    multiple: bool = False
    tag_values: bool = False
    phase: str | None = None
    options_from: str | None = None

    def content(self) -> dict[str, Any]:
        """Return the step's wording as plain data, as frozen into a workshop."""
        data: dict[str, Any] = {"title": self.title, "text": self.text, "notes": self.notes}
        if self.kind == "prompt":
            data.update(question=self.question, type=self.type)
            if self.labels:
                data["labels"] = list(self.labels)
            if self.type == "choice":
                data["options"] = [{"key": k, "label": v} for k, v in self.options]
                data["multiple"] = self.multiple
            if self.tag_values:
                data["tag_values"] = True
            if self.phase:
                data["phase"] = self.phase
        return data


@dataclass(frozen=True)
class Pack:
    id: str
    version: int
    title: str
    description: str
    participation_level: str
    opening: tuple[Step, ...]
    per_use_case: tuple[Step, ...]
    closing: tuple[Step, ...]
    default: bool = False
    # language -> step id -> field -> translated text (labels: list; options: key -> label)
    translations: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)

    def all_steps(self) -> tuple[Step, ...]:
        return self.opening + self.per_use_case + self.closing

    def translations_for(self, step_id: str) -> dict[str, dict[str, Any]]:
        """Return ``{language: {field: text}}`` for one step (empty when untranslated)."""
        return {lang: dict(steps[step_id]) for lang, steps in self.translations.items() if step_id in steps}


@dataclass(frozen=True)
class PlannedStep:
    """One concrete step of a workshop: a pack step, for one use case or none."""

    step: Step
    use_case: int | None  # index into the chosen use cases
    key: str = field(default="")


def _str(data: Mapping[str, Any], name: str, file: str, step: str | None, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise PackError(file, "is missing", step=step, field=name)
        return ""
    if not isinstance(value, str):
        raise PackError(file, f"must be text, not {type(value).__name__}", step=step, field=name)
    if required and not value.strip():
        raise PackError(file, "must not be empty", step=step, field=name)
    return value.strip()


def _id(data: Mapping[str, Any], file: str, step: str | None = None) -> str:
    value = _str(data, "id", file, step)
    if not ID_RE.match(value):
        raise PackError(file, f"'{value}' must be lower-case words joined by hyphens", step=step, field="id")
    return value


def _version(data: Mapping[str, Any], file: str) -> int:
    value = data.get("version")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PackError(file, "must be a whole number from 1 up", field="version")
    return value


def _no_extra(data: Mapping[str, Any], allowed: set[str], file: str, step: str | None) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise PackError(file, f"is not a known field (known: {', '.join(sorted(allowed))})", step=step, field=extra[0])


def parse_card(data: Any, file: str) -> Card:
    """Validate one use-case card's data."""
    if not isinstance(data, Mapping):
        raise PackError(file, "a card file must hold a mapping of fields")
    _no_extra(data, {"id", "version", *CARD_FIELDS}, file, None)
    card_id = _id(data, file)
    version = _version(data, file)
    fields = {name: _str(data, name, file, None, required=name not in CARD_OPTIONAL) for name in CARD_FIELDS}
    return Card(card_id, version, fields)


_STEP_KEYS = {
    "id",
    "kind",
    "title",
    "text",
    "notes",
    "type",
    "question",
    "labels",
    "options",
    "options_from",
    "multiple",
    "tag_values",
    "phase",
}


def _parse_step(data: Any, file: str, section: str, index: int) -> Step:
    label = f"{section}[{index + 1}]"
    if not isinstance(data, Mapping):
        raise PackError(file, "each step must be a mapping of fields", step=label)
    if isinstance(data.get("id"), str):
        label = f"'{data['id']}' ({section}[{index + 1}])"
    _no_extra(data, _STEP_KEYS, file, label)
    step_id = _id(data, file, label)
    kind = _str(data, "kind", file, label)
    if kind not in ("info", "card", "prompt"):
        raise PackError(file, f"must be info, card or prompt, not '{kind}'", step=label, field="kind")
    if kind == "card" and section != "per_use_case":
        raise PackError(file, "a card step can only be in per_use_case", step=label, field="kind")
    notes = _str(data, "notes", file, label)
    title = _str(data, "title", file, label, required=kind != "card")
    text = _str(data, "text", file, label, required=kind == "info")
    if kind != "prompt":
        stray = sorted(
            set(data) & {"type", "question", "labels", "options", "options_from", "multiple", "tag_values", "phase"}
        )
        if stray:
            raise PackError(file, f"only a prompt step can have '{stray[0]}'", step=label, field=stray[0])
        return Step(step_id, kind, notes, title, text)

    ptype = _str(data, "type", file, label)
    if ptype not in PROMPT_TYPES:
        raise PackError(file, f"must be one of {', '.join(PROMPT_TYPES)}, not '{ptype}'", step=label, field="type")
    question = _str(data, "question", file, label)
    labels: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    multiple = False
    options_from = None
    allowed = {
        "position": set(),
        "values": set(),
        "scale": {"labels"},
        "text": {"tag_values"},
        "choice": {"options", "options_from", "multiple"},
    }[ptype] | ({"phase"} if ptype == "position" else set())
    stray = sorted(set(data) & ({"labels", "options", "options_from", "multiple", "tag_values", "phase"} - allowed))
    if stray:
        raise PackError(file, f"a {ptype} prompt cannot have '{stray[0]}'", step=label, field=stray[0])
    if ptype == "scale":
        raw = data.get("labels")
        if not isinstance(raw, Sequence) or isinstance(raw, str) or len(raw) != 5:
            raise PackError(file, "a scale needs exactly 5 labels, for 1 to 5", step=label, field="labels")
        if not all(isinstance(x, str) and x.strip() for x in raw):
            raise PackError(file, "every label must be some text", step=label, field="labels")
        labels = tuple(x.strip() for x in raw)
    if ptype == "choice":
        multiple = data.get("multiple", False)
        if not isinstance(multiple, bool):
            raise PackError(file, "must be true or false", step=label, field="multiple")
        if "options_from" in data:
            if "options" in data:
                raise PackError(file, "give options or options_from, not both", step=label, field="options_from")
            if data["options_from"] != "lifecycle":
                raise PackError(file, "the only list the app knows is 'lifecycle'", step=label, field="options_from")
            options_from = "lifecycle"
            options = tuple(LIFECYCLE.items())
        else:
            raw = data.get("options")
            if not isinstance(raw, Sequence) or isinstance(raw, str) or not 2 <= len(raw) <= 12:
                raise PackError(file, "a choice needs a list of 2 to 12 options", step=label, field="options")
            seen: list[tuple[str, str]] = []
            for n, opt in enumerate(raw, 1):
                if not isinstance(opt, Mapping) or set(opt) != {"key", "label"}:
                    raise PackError(
                        file, f"option {n} must have exactly a key and a label", step=label, field="options"
                    )
                key, text_ = opt["key"], opt["label"]
                if not isinstance(key, str) or not ID_RE.match(key):
                    raise PackError(
                        file, f"option {n} key must be lower-case words joined by hyphens", step=label, field="options"
                    )
                if not isinstance(text_, str) or not text_.strip():
                    raise PackError(file, f"option {n} needs a label", step=label, field="options")
                if key in dict(seen):
                    raise PackError(file, f"option key '{key}' is used twice", step=label, field="options")
                seen.append((key, text_.strip()))
            options = tuple(seen)
    tag_values = data.get("tag_values", False)
    if not isinstance(tag_values, bool):
        raise PackError(file, "must be true or false", step=label, field="tag_values")
    phase = data.get("phase")
    if phase is not None and phase not in ("before", "after"):
        raise PackError(file, "must be before or after", step=label, field="phase")
    return Step(
        step_id, kind, notes, title, text, ptype, question, labels, options, multiple, tag_values, phase, options_from
    )


def parse_pack(data: Any, file: str) -> Pack:
    """Validate one pack's data."""
    if not isinstance(data, Mapping):
        raise PackError(file, "a pack file must hold a mapping of fields")
    _no_extra(
        data,
        {
            "id",
            "version",
            "title",
            "description",
            "participation_level",
            "default",
            "opening",
            "per_use_case",
            "closing",
            "translations",
        },
        file,
        None,
    )
    pack_id = _id(data, file)
    version = _version(data, file)
    title = _str(data, "title", file, None)
    description = _str(data, "description", file, None)
    level = _str(data, "participation_level", file, None)
    if level not in PARTICIPATION_LEVELS:
        raise PackError(file, f"must be one of {', '.join(PARTICIPATION_LEVELS)}", field="participation_level")
    default = data.get("default", False)
    if not isinstance(default, bool):
        raise PackError(file, "must be true or false", field="default")
    sections: dict[str, tuple[Step, ...]] = {}
    for section in ("opening", "per_use_case", "closing"):
        raw = data.get(section, [] if section != "per_use_case" else None)
        if raw is None or not isinstance(raw, Sequence) or isinstance(raw, str):
            raise PackError(file, "must be a list of steps", field=section)
        sections[section] = tuple(_parse_step(s, file, section, i) for i, s in enumerate(raw))
    if not sections["per_use_case"]:
        raise PackError(file, "needs at least one step", field="per_use_case")
    ids = [s.id for steps in sections.values() for s in steps]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise PackError(file, f"step id '{dupes[0]}' is used twice", step=dupes[0], field="id")
    steps = {s.id: s for section in sections.values() for s in section}
    translations = _parse_translations(data.get("translations", {}), steps, file)
    return Pack(
        pack_id,
        version,
        title,
        description,
        level,
        sections["opening"],
        sections["per_use_case"],
        sections["closing"],
        default,
        translations,
    )


TRANSLATION_LANGUAGES = ("cy",)


def _parse_translations(raw: Any, steps: Mapping[str, Step], file: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Validate a pack's translations: known languages, known steps, only fields the step has."""
    if not isinstance(raw, Mapping):
        raise PackError(file, "must map a language code to its steps", field="translations")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for lang, by_step in raw.items():
        if lang not in TRANSLATION_LANGUAGES:
            raise PackError(
                file,
                f"'{lang}' is not a language the app offers ({', '.join(TRANSLATION_LANGUAGES)})",
                field="translations",
            )
        if not isinstance(by_step, Mapping):
            raise PackError(file, f"{lang} must map step ids to their wording", field="translations")
        out[lang] = {}
        for step_id, fields in by_step.items():
            step = steps.get(step_id)
            label = f"'{step_id}' ({lang} translation)"
            if step is None:
                raise PackError(file, "there is no step with this id", step=label, field="translations")
            if not isinstance(fields, Mapping):
                raise PackError(file, "must map fields to translated text", step=label, field="translations")
            clean: dict[str, Any] = {}
            for name, value in fields.items():
                if name in ("title", "text", "question"):
                    if not getattr(step, name) and not (name == "title" and step.kind == "card"):
                        raise PackError(file, "the step has no such text to translate", step=label, field=name)
                    if not isinstance(value, str) or not value.strip():
                        raise PackError(file, "must be some text", step=label, field=name)
                    clean[name] = value.strip()
                elif name == "labels" and step.labels:
                    if (
                        not isinstance(value, Sequence)
                        or isinstance(value, str)
                        or len(value) != len(step.labels)
                        or not all(isinstance(x, str) and x.strip() for x in value)
                    ):
                        raise PackError(file, f"needs exactly {len(step.labels)} labels", step=label, field=name)
                    clean[name] = [x.strip() for x in value]
                elif name == "options" and step.options:
                    keys = {k for k, _ in step.options}
                    if (
                        not isinstance(value, Mapping)
                        or set(value) != keys
                        or not all(isinstance(x, str) and x.strip() for x in value.values())
                    ):
                        raise PackError(
                            file,
                            f"must give a label for each option: {', '.join(sorted(keys))}",
                            step=label,
                            field=name,
                        )
                    clean[name] = {k: v.strip() for k, v in value.items()}
                else:
                    raise PackError(file, "cannot be translated for this step", step=label, field=str(name))
            out[lang][str(step_id)] = clean
    return out


def plan_steps(pack: Pack, use_case_count: int) -> list[PlannedStep]:
    """Expand a pack into concrete steps for a number of chosen use cases, in order."""
    planned = [PlannedStep(s, None, s.id) for s in pack.opening]
    for n in range(use_case_count):
        planned += [PlannedStep(s, n, f"{s.id}@{n + 1}") for s in pack.per_use_case]
    planned += [PlannedStep(s, None, s.id) for s in pack.closing]
    return planned
