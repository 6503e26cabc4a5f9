"""Breakdowns by role are sized by who answered the question, not who joined, in every export.

Two workshops discuss one card with different packs, so some questions are asked in only one
of them. In "Evening" (the three-tier pack) 2 family members and 5 practitioners answer; the
practitioners skip the lifecycle question. In "Morning" (the stakeholder pack) 6 family
members and 5 practitioners answer the position question only. Sized by who joined (8 family
members), the worry question would print a "Family member" column of 2 people; sized by who
answered it (2 < k) it must not, in the JSON, the CSV, the PDF or the web record. The
lifecycle question, answered by 2 people, shows no numbers at all.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from flask import Flask
from flask.testing import FlaskClient

from workshop.extensions import db
from workshop.models import Consultation, Participant, RecordSnapshot
from workshop.services import consultations as cs
from workshop.services import participation as ps
from workshop.services import workshops as ws
from workshop.services.accounts import create_facilitator

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "record-schema.json").read_text())
PASSWORD = "correct horse battery"
FAMILY, PRACTITIONER = "Family member", "Social worker or practitioner"
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
K = 5
# (workshop title, pack, {role: how many}, steps the practitioners skip, steps anyone answers or None for all)
PLAN = (
    ("Evening", "three-tier", {FAMILY: 2, PRACTITIONER: 5}, {"right-lifecycle"}, None),
    ("Morning", "stakeholder-impact", {FAMILY: 6, PRACTITIONER: 5}, set(), {"position"}),
)


def _payload(step: Any, n: int) -> dict[str, Any]:
    kind = step.prompt_type
    if kind == "position":
        return {"position": ["consent", "unsure"][n % 2]}
    if kind == "scale":
        return {"scale": 1 if n < 2 else 5}  # the two family members answer 1
    if kind == "values":
        return {"values": ["care"]}
    if kind == "choice":
        return {"choices": [step.content["options"][0]["key"]]}
    return {"text": f"Comment number {n}"}


def seed(app: Flask) -> int:
    """Run both workshops through the real services; return the consultation's id."""
    with app.app_context():
        library = app.extensions["cg_library"]
        screener = app.extensions["cg_screener"]
        facilitator = create_facilitator(db.session, "alex", PASSWORD)
        consultation = cs.create_consultation(db.session, facilitator, title="Riverside", k_threshold=K)
        use_case = cs.copy_card(db.session, consultation, library.cards["front-door-triage"])
        for title, pack, roles, skipped, only in PLAN:
            workshop = ws.create_workshop(
                db.session, consultation, library.packs[pack], [use_case], title=title, moderation="post"
            )
            people = []
            for role, many in roles.items():
                for _ in range(many):
                    participant, _receipt = ps.join(db.session, workshop)
                    ps.set_role(db.session, workshop, participant, role)
                    people.append((participant, role))
            for step in workshop.steps:
                base = step.step_key.split("@", 1)[0]
                if step.kind != "prompt" or (only is not None and base not in only):
                    continue
                ws.control(db.session, workshop, "goto", facilitator_id=None, argument=step.position)
                for n, (participant, role) in enumerate(people):
                    if role == PRACTITIONER and base in skipped:
                        continue
                    ps.submit_answer(
                        db.session,
                        workshop,
                        participant,
                        step,
                        f"client-{step.id}-{participant.id}",
                        _payload(step, n),
                        screener,
                    )
            ws.control(db.session, workshop, "end", facilitator_id=None)
        db.session.commit()
        return consultation.id


def _download(client: FlaskClient, cid: int, fmt: str) -> bytes:
    response = client.get(f"/f/c/{cid}/record/download/{fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data()


def _breakdowns(value: Any) -> Iterator[dict[str, Any]]:
    """Every breakdown by role or workshop anywhere in the record."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("by_role", "by_workshop") and "possible" in item:
                yield item
            else:
                yield from _breakdowns(item)
    elif isinstance(value, list):
        for item in value:
            yield from _breakdowns(item)


def _question(record: dict[str, Any], step: str) -> dict[str, Any]:
    concern = record["use_cases"][0]["concern"]
    found = [
        q
        for part in ("values", "stages", "scales", "choices")
        for q in concern[part]
        if q["asked"][0]["step_key"].startswith(step + "@")
    ]
    assert len(found) == 1, [q["asked"][0]["step_key"] for part in concern.values() for q in part if "asked" in q]
    return found[0]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_no_role_breakdown_of_the_few_who_answered_anywhere(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    cid = seed(app)
    assert client.post("/login", data={"name": "alex", "password": PASSWORD}).status_code == 302

    # JSON: the record is valid, and every group of every breakdown has at least k who answered.
    with zipfile.ZipFile(io.BytesIO(_download(client, cid, "json"))) as z:
        record = json.loads(z.read("record.json"))
    jsonschema.validate(record, SCHEMA)
    assert record["record_version"] == "2.0"
    assert record["participation"]["by_role"]["groups"] == [
        {"label": FAMILY, "count": 8, "display": "8", "merged": []},  # who joined: sized by joining
        {"label": PRACTITIONER, "count": 10, "display": "10", "merged": []},
    ]
    for breakdown in _breakdowns(record):
        for group in breakdown["groups"]:
            assert group["answered"] >= K, group
    worry = _question(record, "should-worry")
    assert worry["answered"] == {"count": 7, "display": "7"}
    assert worry["asked"][0]["workshops"] == [min(w["id"] for w in record["workshops"])]
    assert worry["by_role"] == {
        "possible": True,
        "groups": [
            {
                "label": "Other roles",
                "merged": [FAMILY, PRACTITIONER],
                "answered": 7,
                "options": [
                    {"key": str(n), "label": o["label"], "count": o["count"]}
                    for n, o in zip(range(1, 6), worry["options"], strict=True)
                ],
            }
        ],
    }
    lifecycle = _question(record, "right-lifecycle")
    assert lifecycle["answered"] == {"count": None, "display": "fewer than 5"} and lifecycle["hidden"]
    assert lifecycle["by_role"] == {"possible": False, "groups": []}
    assert lifecycle["by_workshop"] == {"possible": False, "groups": []}
    positions = record["use_cases"][0]["consent"]["positions"]
    assert {g["label"]: g["answered"] for g in positions["by_role"]["groups"]} == {FAMILY: 8, PRACTITIONER: 10}

    # CSV: no "Family member" group for the worry question, and no group under k anywhere.
    with zipfile.ZipFile(io.BytesIO(_download(client, cid, "csv"))) as z:
        rows = list(csv.DictReader(io.StringIO(z.read("concern_results.csv").decode("utf-8-sig"))))
        positions_rows = list(csv.DictReader(io.StringIO(z.read("consent_positions.csv").decode("utf-8-sig"))))
    assert "group_joined" not in rows[0]
    grouped = [r for r in rows + positions_rows if r["breakdown"] in ("role", "workshop")]
    assert grouped and all(int(r["group_answered"]) >= K for r in grouped)
    worry_roles = {r["group"] for r in rows if r["question_id"] == worry["id"] and r["breakdown"] == "role"}
    assert worry_roles == {"Other roles"}
    assert not [r for r in rows if r["question_id"] == lifecycle["id"] and r["breakdown"] != "all"]

    # The PDF and the web record: the worry question has no breakdown by role; nothing says "2 answered".
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_download(client, cid, "pdf"))
    text = subprocess.run([PDFTOTEXT, str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60).stdout
    page = client.get(f"/f/c/{cid}/record/report").get_data(as_text=True)
    one_group = f"By role: everyone is in one group (Other roles: {FAMILY}, {PRACTITIONER}), so there is no breakdown."
    for shown in (_flat(text), _flat(page)):
        assert "2 answered" not in shown and "2 of 8" not in shown
        assert one_group in shown
        assert "8 answered" in shown and "10 answered" in shown  # the positions, by role
        assert "each group is counted among the people who answered that question" in shown


def test_a_version_1_record_kept_at_the_purge_is_still_exported(app: Flask, client: FlaskClient) -> None:
    """A purged consultation cannot be rebuilt: its 1.0 record is converted, keeping only safe breakdowns."""
    cid = seed(app)
    assert client.post("/login", data={"name": "alex", "password": PASSWORD}).status_code == 302
    with zipfile.ZipFile(io.BytesIO(_download(client, cid, "json"))) as z:
        now = json.loads(z.read("record.json"))
    # The record as version 1.0 kept it: groups sized by who joined, each with its "joined" count.
    old = json.loads(json.dumps(now))
    old["record_version"] = "1.0"
    worry = _question(old, "should-worry")
    worry["by_role"] = {
        "possible": True,
        "groups": [
            {"label": FAMILY, "merged": [], "joined": {"count": 8, "display": "8"}, "answered": 2, "options": []},
            {
                "label": PRACTITIONER,
                "merged": [],
                "joined": {"count": 10, "display": "10"},
                "answered": 5,
                "options": [],
            },
        ],
    }
    for breakdown in _breakdowns(old):
        for group in breakdown["groups"]:
            group.setdefault("joined", {"count": group["answered"], "display": str(group["answered"])})
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        db.session.add(RecordSnapshot(consultation_id=cid, reason="purge", record=old))
        db.session.execute(Participant.__table__.delete())
        consultation.purged_at = consultation.created_at
        db.session.commit()
    with zipfile.ZipFile(io.BytesIO(_download(client, cid, "json"))) as z:
        after = json.loads(z.read("record.json"))
    jsonschema.validate(after, SCHEMA)
    assert after["record_version"] == "2.0"
    assert _question(after, "should-worry")["by_role"] == {"possible": False, "groups": []}  # 2 parents: withdrawn
    assert after["use_cases"][0]["consent"]["positions"] == now["use_cases"][0]["consent"]["positions"]
