"""Consent and concern records, checked against counts worked out by hand.

Every case builds plain input rows (no database), runs ``build_record`` and compares the
numbers with ones computed on paper, including the small-group edge cases: k-1, k,
everyone in one group, one group that cannot be hidden alone, and totals under k.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from workshop.domain import export_render as er
from workshop.domain.records import (
    AnswerIn,
    CommentIn,
    ConsultationIn,
    ModerationIn,
    ParticipantIn,
    RecordInput,
    RegisterIn,
    StepIn,
    UseCaseIn,
    WorkshopIn,
    build_record,
)
from workshop.domain.vocabulary import LIFECYCLE

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "record-schema.json").read_text())
CARD = {"title": "Triage score", "summary": "A score.", "version": 2, "id": 10, "library_id": "front-door-triage"}
WHEN = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)


def _step(sid: int, wid: int, pos: int, key: str, ptype: str | None, **content: Any) -> StepIn:
    kind = "card" if key.startswith("card") else ("prompt" if ptype else "info")
    return StepIn(sid, wid, pos, key, kind, ptype, 10 if "@" in key else None, {"title": key, **content, "card": CARD})


def _workshop_steps(wid: int, base: int, position_question: str = "Can you live with it?") -> list[StepIn]:
    return [
        _step(base + 0, wid, 0, "welcome", None, text="Hello"),
        _step(base + 1, wid, 1, "card@1", None),
        _step(base + 2, wid, 2, "values@1", "values", question="Which values?", type="values"),
        _step(
            base + 3,
            wid,
            3,
            "worry@1",
            "scale",
            question="How worried?",
            type="scale",
            labels=["a", "b", "c", "d", "e"],
        ),
        _step(
            base + 4,
            wid,
            4,
            "stages@1",
            "choice",
            question="Which stages?",
            type="choice",
            multiple=True,
            options=[{"key": k, "label": v} for k, v in LIFECYCLE.items()],
        ),
        _step(base + 5, wid, 5, "more@1", "text", question="Tell us more", type="text", tag_values=True),
        _step(base + 6, wid, 6, "position@1", "position", question=position_question, type="position"),
        _step(base + 7, wid, 7, "closing", "text", question="Anything else?", type="text"),
    ]


def make_input(
    roles: dict[str, list[str]], *, k: int = 5, extra_workshop: dict[str, list[str]] | None = None, **kw: Any
) -> RecordInput:
    """A consultation whose participants answer the position step; roles maps role -> positions."""
    workshops = [WorkshopIn(1, "Evening", "three-tier", 1, started_at=WHEN, ended_at=WHEN)]
    steps = _workshop_steps(1, 100)
    participants: list[ParticipantIn] = []
    answers: list[AnswerIn] = []
    n = 0
    for wid, base, groups in ((1, 100, roles), (2, 200, extra_workshop)):
        if groups is None:
            continue
        if wid == 2:
            workshops.append(WorkshopIn(2, "Morning", "three-tier", 1, started_at=WHEN, ended_at=WHEN))
            steps += _workshop_steps(2, 200)
        for role, positions in groups.items():
            for position in positions:
                n += 1
                participants.append(ParticipantIn(n, wid, None if role == "-" else role))
                if position:
                    ground = "care" if position == "object" else None
                    answers.append(AnswerIn(n, base + 6, position, ground))
    return RecordInput(
        ConsultationIn(1, "Riverside", "Riverside Council", "", k, 365),
        [UseCaseIn(10, "Triage score", 1, 3, "front-door-triage")],
        workshops,
        kw.pop("steps", steps),
        participants,
        kw.pop("answers", answers) + kw.pop("more_answers", []),
        **kw,
    )


def record_of(data: RecordInput) -> dict[str, Any]:
    out = build_record(data).as_dict()
    jsonschema.validate(out, SCHEMA)
    return out


def positions(rec: dict[str, Any]) -> dict[str, Any]:
    return rec["use_cases"][0]["consent"]["positions"]


def counts(options: list[dict[str, Any]]) -> dict[str, int | None]:
    return {o["key"]: o["count"] for o in options}


def by_role(q: dict[str, Any]) -> dict[str, tuple[tuple[str, ...], int, dict[str, int | None]]]:
    return {g["label"]: (tuple(g["merged"]), g["answered"], counts(g["options"])) for g in q["by_role"]["groups"]}


# --------------------------------------------------------------------------- consent record


def test_positions_counted_overall_and_by_role() -> None:
    rec = record_of(
        make_input(
            {
                "Parent": ["consent", "consent", "consent", "object", "object", "conditions"],
                "Social worker": ["consent", "conditions", "conditions", "conditions", "conditions", "unsure"],
            }
        )
    )
    q = positions(rec)
    assert q["answered"] == {"count": 12, "display": "12"}
    assert not q["hidden"]
    assert counts(q["options"]) == {"consent": 4, "conditions": 5, "object": 2, "unsure": 1, "pass": 0}
    assert by_role(q) == {
        "Parent": ((), 6, {"consent": 3, "conditions": 1, "object": 2, "unsure": 0, "pass": 0}),
        "Social worker": ((), 6, {"consent": 1, "conditions": 4, "object": 0, "unsure": 1, "pass": 0}),
    }
    assert q["asked"] == [
        {
            "step_key": "position@1",
            "title": "position@1",
            "text": "",
            "question": "Can you live with it?",
            "workshops": [1],
        }
    ]
    grounds = counts(rec["use_cases"][0]["consent"]["objections"]["grounds"])
    assert grounds["care"] == 2 and sum(v or 0 for v in grounds.values()) == 2


def test_role_shown_at_exactly_k_and_merged_at_k_minus_one() -> None:
    # k=5: Parent 10 and Social worker 7 are shown; Manager 4 (k-1) and Carer 3 are merged.
    # Two merged groups of 4 and 3 make 7, which does not pin either (7 < 2 * 4), so that is safe.
    roles = {
        "Parent": ["consent"] * 10,
        "Social worker": ["object"] * 5 + ["unsure"] * 2,
        "Manager": ["consent"] * 4,
        "Carer": ["object"] * 3,
    }
    q = positions(record_of(make_input(roles)))
    assert by_role(q) == {
        "Parent": ((), 10, {"consent": 10, "conditions": 0, "object": 0, "unsure": 0, "pass": 0}),
        "Social worker": ((), 7, {"consent": 0, "conditions": 0, "object": 5, "unsure": 2, "pass": 0}),
        "Other roles": (
            ("Carer", "Manager"),
            7,
            {"consent": 4, "conditions": 0, "object": 3, "unsure": 0, "pass": 0},
        ),
    }


def test_exactly_k_in_each_group_is_shown() -> None:
    q = positions(record_of(make_input({"Parent": ["consent"] * 5, "Social worker": ["object"] * 5})))
    assert set(by_role(q)) == {"Parent", "Social worker"}
    assert by_role(q)["Parent"][1] == 5


def test_everyone_in_one_group() -> None:
    rec = record_of(make_input({"Parent": ["consent"] * 6 + ["object"] * 3}))
    q = positions(rec)
    assert by_role(q) == {"Parent": ((), 9, {"consent": 6, "conditions": 0, "object": 3, "unsure": 0, "pass": 0})}
    assert rec["participation"]["by_role"]["groups"] == [{"label": "Parent", "count": 9, "display": "9", "merged": []}]


def test_one_small_group_cannot_be_hidden_alone() -> None:
    # Social worker 3 < k; merging it alone would show "Other roles 3" = the group itself, and
    # "Parent 10" would give it back as 13 - 10. So both are merged: no breakdown by role.
    rec = record_of(make_input({"Parent": ["consent"] * 10, "Social worker": ["object"] * 3}))
    q = positions(rec)
    assert by_role(q) == {
        "Other roles": (
            ("Parent", "Social worker"),
            13,
            {"consent": 10, "conditions": 0, "object": 3, "unsure": 0, "pass": 0},
        )
    }
    assert counts(q["options"])["object"] == 3  # the overall count is still shown: 13 people answered
    groups = rec["participation"]["by_role"]
    assert groups["suppressed"] is True
    assert [g["label"] for g in groups["groups"]] == ["Other roles"]
    text = json.dumps(rec)
    assert '"label": "Social worker", "count": 3' not in text


@pytest.mark.parametrize(("answered", "hidden"), [(4, True), (5, False)])
def test_answers_hidden_when_fewer_than_k_answered(answered: int, hidden: bool) -> None:
    # Ten people joined, but only ``answered`` of them answered the position question.
    rec = record_of(make_input({"Parent": ["object"] * answered + [""] * (10 - answered)}))
    q = positions(rec)
    assert q["hidden"] is hidden
    if hidden:
        assert q["answered"] == {"count": None, "display": "fewer than 5"}
        assert all(o["count"] is None for o in q["options"])
        assert q["by_role"] == {"possible": False, "groups": []}
        assert all(g["count"] is None for g in rec["use_cases"][0]["consent"]["objections"]["grounds"])
    else:
        assert counts(q["options"])["object"] == 5
    assert rec["participation"]["joined"] == {"count": 10, "display": "10"}


def test_total_under_k_shows_fewer_than_k_everywhere() -> None:
    rec = record_of(make_input({"Parent": ["consent", "object"], "Social worker": ["consent"]}))
    assert rec["participation"]["joined"] == {"count": None, "display": "fewer than 5"}
    assert rec["participation"]["by_role"] == {
        "total": {"count": None, "display": "fewer than 5"},
        "suppressed": True,
        "groups": [],
    }
    uc = rec["use_cases"][0]
    assert uc["consent"]["participation"]["joined"]["display"] == "fewer than 5"
    assert positions(rec)["hidden"] and positions(rec)["answered"]["display"] == "fewer than 5"
    # Nobody answered the other steps: 0 is shown (it singles nobody out); 1 to 4 never is.
    assert {s["answered"]["display"] for s in uc["consent"]["participation"]["steps"]} == {"fewer than 5", "0"}


def test_other_k_threshold() -> None:
    q = positions(record_of(make_input({"Parent": ["consent"] * 3, "Social worker": ["object"] * 3}, k=3)))
    assert set(by_role(q)) == {"Parent", "Social worker"}


def test_no_role_given_is_its_own_group() -> None:
    q = positions(record_of(make_input({"-": ["consent"] * 5, "Parent": ["object"] * 5})))
    assert set(by_role(q)) == {"No role given", "Parent"}


# --------------------------------------------------------------------------- several workshops


def test_workshops_combined_with_per_workshop_breakdown() -> None:
    rec = record_of(make_input({"Parent": ["consent"] * 6}, extra_workshop={"Parent": ["object"] * 5}))
    q = positions(rec)
    assert counts(q["options"])["consent"] == 6 and counts(q["options"])["object"] == 5
    assert q["asked"][0]["workshops"] == [1, 2]
    workshops = {g["label"]: counts(g["options"]) for g in q["by_workshop"]["groups"]}
    assert workshops["Evening"]["consent"] == 6 and workshops["Morning"]["object"] == 5
    # Both workshops showed the same wording: listed once.
    assert [s["workshops"] for s in rec["shown"]] == [[1, 2]]
    assert {w["shown"] for w in rec["workshops"]} == {"S1"}


def test_small_workshop_is_merged_in_the_breakdown() -> None:
    rec = record_of(make_input({"Parent": ["consent"] * 8}, extra_workshop={"Parent": ["object"] * 3}))
    q = positions(rec)
    # Morning (3) cannot be hidden alone, so no workshop is shown on its own.
    assert [(g["label"], g["merged"]) for g in q["by_workshop"]["groups"]] == [
        ("Other workshops", ["Evening", "Morning"])
    ]


def test_different_wording_is_listed_but_positions_are_one_per_person() -> None:
    data = make_input({"Parent": ["consent"] * 5}, extra_workshop={"Parent": ["object"] * 5})
    steps = [
        s
        if not (s.workshop_id == 2 and s.key == "position@1")
        else StepIn(s.id, 2, s.position, s.key, s.kind, s.prompt_type, 10, {**s.content, "question": "Other words?"})
        for s in data.steps
    ]
    rec = record_of(
        RecordInput(data.consultation, data.use_cases, data.workshops, steps, data.participants, data.answers)
    )
    q = positions(rec)
    assert [(a["question"], a["workshops"]) for a in q["asked"]] == [
        ("Can you live with it?", [1]),
        ("Other words?", [2]),
    ]
    assert q["answered"]["count"] == 10
    assert len(rec["shown"]) == 2


# --------------------------------------------------------------------------- before and after


def test_before_and_after_positions_and_movement() -> None:
    data = make_input({"Parent": ["object"] * 3 + ["consent"] * 3})
    before = StepIn(
        150,
        1,
        8,
        "before@1",
        "prompt",
        "position",
        10,
        {"title": "First view", "question": "Right now?", "phase": "before", "card": CARD},
    )
    moved = [AnswerIn(p, 150, "object") for p in range(1, 7)]
    rec = record_of(
        RecordInput(
            data.consultation,
            data.use_cases,
            data.workshops,
            [*data.steps, before],
            data.participants,
            [*data.answers, *moved],
        )
    )
    consent = rec["use_cases"][0]["consent"]
    assert counts(consent["before"]["options"])["object"] == 6
    assert counts(consent["positions"]["options"]) == {
        "consent": 3,
        "conditions": 0,
        "object": 3,
        "unsure": 0,
        "pass": 0,
    }
    assert consent["movement"] == {
        "paired": {"count": 6, "display": "6"},
        "moves": [
            {"before": "object", "after": "consent", "count": 3},
            {"before": "object", "after": "object", "count": 3},
        ],
    }


def test_movement_hidden_when_fewer_than_k_pairs() -> None:
    data = make_input({"Parent": ["object"] * 6})
    before = StepIn(150, 1, 8, "before@1", "prompt", "position", 10, {"phase": "before", "card": CARD})
    rec = record_of(
        RecordInput(
            data.consultation,
            data.use_cases,
            data.workshops,
            [*data.steps, before],
            data.participants,
            [*data.answers, AnswerIn(1, 150, "consent")],
        )
    )
    assert rec["use_cases"][0]["consent"]["movement"] == {
        "paired": {"count": None, "display": "fewer than 5"},
        "moves": [],
    }


# --------------------------------------------------------------------------- concern record and comments


def test_concern_record_values_stages_scales() -> None:
    roles = {"Parent": ["consent"] * 6}
    extra = [AnswerIn(p, 102, "care,protect" if p % 2 else "care") for p in range(1, 7)]
    extra += [AnswerIn(p, 103, str(p % 5 + 1)) for p in range(1, 7)]  # 2,3,4,5,1,2
    extra += [AnswerIn(p, 104, "data,using") for p in range(1, 6)]
    extra += [AnswerIn(p, 105, None) for p in range(1, 4)]
    rec = record_of(make_input(roles, more_answers=extra))
    concern = rec["use_cases"][0]["concern"]
    assert counts(concern["values"][0]["options"]) == {"respect": 0, "connect": 0, "care": 6, "protect": 3}
    assert concern["values"][0]["multiple"] is True
    scale = concern["scales"][0]
    assert counts(scale["options"]) == {"1": 1, "2": 2, "3": 1, "4": 1, "5": 1}
    assert scale["mean"] == round(17 / 6, 2)
    assert len(concern["stages"]) == 1 and concern["choices"] == []
    assert counts(concern["stages"][0]["options"])["data"] == 5
    steps = {s["key"]: s["answered"]["display"] for s in rec["use_cases"][0]["consent"]["participation"]["steps"]}
    assert steps == {"values": "6", "worry": "6", "stages": "5", "more": "fewer than 5", "position": "6"}
    assert [s["key"] for s in rec["use_cases"][0]["consent"]["participation"]["steps"]] == [
        "values",
        "worry",
        "stages",
        "more",
        "position",
    ]


def test_comments_register_and_moderation() -> None:
    comments = [
        CommentIn(1, 106, "condition", "Only if families are told", (), 4),
        CommentIn(2, 106, "condition", "Tell families first", (), 1),
        CommentIn(3, 106, "objection", "It is unfair", ("protect",), 0),
        CommentIn(4, 105, "comment", "Check the data", ("care",), 2),
        CommentIn(5, 107, "comment", "Thanks", (), 0),
    ]
    register = [
        RegisterIn(
            7,
            10,
            "condition",
            "Tell families",
            "act",
            "Head of service",
            "We will write to families.",
            "agreed",
            "",
            (1, 2),
        ),
        RegisterIn(8, None, "concern", "Withdrawn source", None, "", "", "open", "", (99,)),
    ]
    rec = record_of(
        make_input(
            {"Parent": ["conditions"] * 5},
            comments=comments,
            register=register,
            moderation=[
                ModerationIn("hide", "identifying", 2),
                ModerationIn("approve", None, 5),
                ModerationIn("redact", None, 0),
            ],
        )
    )
    consent = rec["use_cases"][0]["consent"]
    assert [(c["text"], c["me_too"], c["register_items"]) for c in consent["conditions"]] == [
        ("Only if families are told", 4, [7]),
        ("Tell families first", 1, [7]),
    ]
    assert [c["text"] for c in consent["objections"]["reasons"]] == ["It is unfair"]
    concern = rec["use_cases"][0]["concern"]
    assert [c["text"] for c in concern["comments"]] == ["Check the data"]
    assert counts(concern["comment_values"]) == {"respect": 0, "connect": 0, "care": 1, "protect": 1}
    assert [c["text"] for c in rec["general_comments"]] == ["Thanks"]
    items = {r["id"]: r for r in rec["register"]}
    assert items[7]["sources"] == [1, 2] and items[7]["me_too"] == 5 and items[7]["use_case_title"] == "Triage score"
    assert items[8]["sources"] == [] and items[8]["me_too"] == 0  # a source that is not approved is not counted
    assert rec["moderation"] == [
        {"action": "approve", "reason": None, "count": 5},
        {"action": "hide", "reason": "identifying", "count": 2},
    ]


def test_record_never_names_participants() -> None:
    rec = build_record(make_input({"Parent": ["consent"] * 5})).as_dict()
    text = json.dumps(rec)
    assert "participant" not in text


def test_cards_and_methods() -> None:
    rec = record_of(make_input({"Parent": ["consent"] * 5}, extra_workshop={"Parent": ["consent"] * 5}))
    uc = rec["use_cases"][0]
    assert [(c["version"], c["workshops"]) for c in uc["cards_shown"]] == [(2, [1, 2])]
    assert uc["current_version"] == 3
    assert rec["methods"]["workshop_count"] == 2
    assert rec["methods"]["packs"] == [
        {"id": "three-tier", "version": 1, "title": "three-tier", "participation_level": None, "workshops": [1, 2]}
    ]
    assert rec["methods"]["first_date"] == "2026-03-12T18:00:00+00:00"


# --------------------------------------------------------------------------- rendering


def test_canonical_hash_is_stable_and_zip_is_deterministic() -> None:
    rec = record_of(make_input({"Parent": ["consent"] * 5}))
    again = record_of(make_input({"Parent": ["consent"] * 5}))
    assert er.record_sha256(rec) == er.record_sha256(again)
    files = {"record.json": er.canonical_json(rec)}
    manifest = er.build_manifest(rec, files, export_format="json", generated_at=WHEN, generator="test")
    first = er.zip_bundle(files, manifest, WHEN)
    assert first == er.zip_bundle(files, manifest, WHEN)
    assert er.verify_bundle(first) == []
    assert manifest["record_sha256"] == manifest["files"]["record.json"]
    assert manifest["packs"] == [{"id": "three-tier", "version": 1, "title": "three-tier"}]
    assert manifest["cards"][0]["version"] == 2


def test_verify_bundle_finds_a_changed_file() -> None:
    rec = record_of(make_input({"Parent": ["consent"] * 5}))
    files = {"record.json": er.canonical_json(rec)}
    bundle = er.zip_bundle(
        files, er.build_manifest(rec, files, export_format="json", generated_at=WHEN, generator="test"), WHEN
    )
    source = zipfile.ZipFile(io.BytesIO(bundle))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as tampered:
        for name in source.namelist():
            data = source.read(name)
            if name == "record.json":
                data = data.replace(b'"count":5', b'"count":6', 1)
            tampered.writestr(name, data)
    problems = er.verify_bundle(out.getvalue())
    assert any("record.json has changed" in p for p in problems)
    assert er.verify_bundle(b"not a zip") == ["This is not a zip file."]


def test_csv_cells_cannot_run_as_formulas() -> None:
    comments = [CommentIn(1, 105, "comment", '=HYPERLINK("x")', (), 0)]
    tables = er.csv_tables(record_of(make_input({"Parent": ["consent"] * 5}, comments=comments)))
    assert "'=HYPERLINK" in tables["comments.csv"].decode("utf-8")


def test_docs_list_every_csv_table_and_the_record_version() -> None:
    from workshop.domain.records import RECORD_VERSION

    docs = (Path(__file__).resolve().parents[2] / "docs" / "records.md").read_text()
    listed = set(re.findall(r"^\s*\| `([a-z_]+\.csv)` \|", docs, flags=re.M))
    tables = er.csv_tables(record_of(make_input({"Parent": ["consent"] * 5})))
    assert listed == set(tables)
    assert SCHEMA["properties"]["record_version"]["const"] == RECORD_VERSION
    assert f"format version **{RECORD_VERSION}**" in docs
