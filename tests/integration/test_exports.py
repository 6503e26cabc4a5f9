"""The record, its exports and the register: routes, CLI, and the numbers in every format.

A consultation is run through the real services (joining, answering, withdrawing), then
exported as JSON, CSV and PDF; the PDF's text (``pdftotext``) and the CSV tables are
reconciled with the JSON, which is validated against docs/record-schema.json.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support import csrf_from, make_app
from workshop.domain import export_render as er
from workshop.domain.records import free_texts, without_free_text
from workshop.domain.vocabulary import POSITIONS
from workshop.extensions import db
from workshop.models import (
    Comment,
    Consultation,
    MeToo,
    ModerationEvent,
    Participant,
    RecordSnapshot,
    RegisterItem,
    RegisterSource,
    Workshop,
)

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "record-schema.json").read_text())
PASSWORD = "correct horse battery"
FAMILY, PRACTITIONER = "Family member", "Social worker or practitioner"
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"

# Positions given, by workshop and role. Totals: consent 6, conditions 3, object 5, unsure 2, pass 1.
PLAN: dict[str, dict[str, list[str]]] = {
    "Evening": {
        FAMILY: ["consent", "consent", "conditions", "conditions", "object", "object"],
        PRACTITIONER: ["consent", "consent", "consent", "conditions", "unsure", "unsure"],
    },
    "Morning": {FAMILY: ["consent", "object", "object", "object", "pass"]},
}


@dataclass(frozen=True)
class Seeded:
    consultation_id: int
    use_case_id: int
    receipt: str
    withdrawn_receipt: str
    public_token: str


def seed(app: Flask, *, owner: str = "alex") -> Seeded:
    """Run two workshops on one card through the real services, then end them."""
    from workshop.services import consultations as cs
    from workshop.services import participation as ps
    from workshop.services import workshops as ws
    from workshop.services.accounts import create_facilitator

    with app.app_context():
        library = app.extensions["cg_library"]
        screener = app.extensions["cg_screener"]
        facilitator = create_facilitator(db.session, owner, PASSWORD)
        consultation = cs.create_consultation(
            db.session,
            facilitator,
            title="Riverside: tools in early help",
            organisation="Riverside Council",
            k_threshold=5,
        )
        use_case = cs.copy_card(db.session, consultation, library.cards["front-door-triage"])
        receipts: list[str] = []
        for title, roles in PLAN.items():
            workshop = ws.create_workshop(
                db.session, consultation, library.default_pack, [use_case], title=title, moderation="post"
            )
            people: list[tuple[Any, str]] = []
            for role, positions in roles.items():
                for position in positions:
                    participant, receipt = ps.join(db.session, workshop)
                    ps.set_role(db.session, workshop, participant, role)
                    people.append((participant, position))
                    receipts.append(receipt)
            if title == "Morning":  # one more person, who later takes everything back
                leaver, leaver_receipt = ps.join(db.session, workshop)
            for step in workshop.steps:
                if step.kind != "prompt":
                    continue
                ws.control(db.session, workshop, "goto", facilitator_id=None, argument=step.position)
                for n, (participant, position) in enumerate(people):
                    payload = _payload(step, n, position)
                    ps.submit_answer(
                        db.session, workshop, participant, step, f"client-{step.id}-{participant.id}", payload, screener
                    )
                if title == "Morning" and step.prompt_type == "position":
                    ps.submit_answer(
                        db.session,
                        workshop,
                        leaver,
                        step,
                        f"client-{step.id}-leaver",
                        {"position": "object", "reason": "Leaving soon"},
                        screener,
                    )
            ws.control(db.session, workshop, "end", facilitator_id=None)
            db.session.add(ModerationEvent(workshop_id=workshop.id, action="approve"))
            db.session.add(ModerationEvent(workshop_id=workshop.id, action="hide", reason="off_topic"))
        db.session.flush()
        # "Me too" on the first condition from three people; one comment hidden by a moderator.
        conditions = db.session.scalars(select(Comment).where(Comment.kind == "condition").order_by(Comment.id)).all()
        others = db.session.scalars(select(Participant.id).order_by(Participant.id)).all()
        for pid in others[6:9]:
            db.session.add(MeToo(comment_id=conditions[0].id, participant_id=pid))
        hidden = db.session.scalars(select(Comment).where(Comment.kind == "comment").order_by(Comment.id)).first()
        hidden.status, hidden.text = "hidden", "Hidden comment text"
        db.session.commit()
        ps.withdraw(db.session, ps.find_by_receipt(db.session, leaver_receipt))
        db.session.commit()
        return Seeded(consultation.id, use_case.id, receipts[0], leaver_receipt, consultation.public_token)


def _payload(step: Any, n: int, position: str) -> dict[str, Any]:
    if step.prompt_type == "position":
        if position == "conditions":
            return {"position": position, "conditions": [["Only if families are told", "Tell families first"][n % 2]]}
        if position == "object":
            return {"position": position, "ground": "inequality", "reason": f"Unfair on poor families {n}"}
        return {"position": position}
    if step.prompt_type == "scale":
        return {"scale": n % 5 + 1}
    if step.prompt_type == "values":
        return {"values": ["care", "protect"] if n % 3 == 0 else ["care"]}
    if step.prompt_type == "choice":
        return {"choices": [step.content["options"][n % 2]["key"]]}
    return {"text": f"Comment number {n}", "values": ["respect"]}


def login(client: FlaskClient, name: str = "alex") -> None:
    assert client.post("/login", data={"name": name, "password": PASSWORD}).status_code == 302


def download(client: FlaskClient, cid: int, fmt: str) -> bytes:
    response = client.get(f"/f/c/{cid}/record/download/{fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data()


def json_record(client: FlaskClient, cid: int) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    bundle = download(client, cid, "json")
    with zipfile.ZipFile(io.BytesIO(bundle)) as z:
        return json.loads(z.read("record.json")), json.loads(z.read("manifest.json")), bundle


def csv_tables(client: FlaskClient, cid: int) -> tuple[dict[str, list[dict[str, str]]], dict[str, Any], bytes]:
    bundle = download(client, cid, "csv")
    with zipfile.ZipFile(io.BytesIO(bundle)) as z:
        tables = {
            name: list(csv.DictReader(io.StringIO(z.read(name).decode("utf-8-sig"))))
            for name in z.namelist()
            if name.endswith(".csv")
        }
        return tables, json.loads(z.read("manifest.json")), bundle


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def single_number_lines(text: str, label: str) -> list[int]:
    """Numbers on lines that hold exactly the label and one number (table rows and chart bars)."""
    pattern = re.compile(rf"^\s*{re.escape(label)}\s+(\d+)\s*$")
    return [int(m.group(1)) for line in text.splitlines() if (m := pattern.match(line))]


# --------------------------------------------------------------------------- access


ROUTES_GET = ["/record", "/record/report", "/record/download/json", "/record/download/csv", "/register", "/publish"]
ROUTES_POST = ["/record/finalise", "/register/items", "/publish"]


def test_routes_need_login(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    for route in ROUTES_GET + ROUTES_POST:
        method = client.post if route in ROUTES_POST and route != "/publish" else client.get
        response = method(f"/f/c/{seeded.consultation_id}{route}")
        assert response.status_code == 302 and "/login" in response.headers["Location"], route


def test_another_facilitator_gets_404(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    with app.app_context():
        from workshop.services.accounts import create_facilitator

        create_facilitator(db.session, "sam", PASSWORD)
        item = RegisterItem(consultation_id=seeded.consultation_id, kind="concern", text="x")
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    login(client, "sam")
    for route in ROUTES_GET:
        assert client.get(f"/f/c/{seeded.consultation_id}{route}").status_code == 404, route
    for route in [*ROUTES_POST, f"/register/{item_id}", f"/register/{item_id}/merge", f"/register/{item_id}/delete"]:
        assert client.post(f"/f/c/{seeded.consultation_id}{route}", data={"confirm": "yes"}).status_code == 404, route
    with app.app_context():
        assert db.session.get(Consultation, seeded.consultation_id).finalised_at is None
        assert db.session.get(RegisterItem, item_id) is not None


def test_csrf_is_on_for_record_posts(database_url: str) -> None:
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    seeded = seed(app)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"name": "alex", "password": PASSWORD, "csrf_token": csrf_from(page)})
    response = client.post(f"/f/c/{seeded.consultation_id}/record/finalise", data={"confirm": "yes"})
    assert response.status_code == 400
    response = client.post(f"/f/c/{seeded.consultation_id}/publish", data={"summary": "Hello"})
    assert response.status_code == 400
    response = client.post(f"/f/c/{seeded.consultation_id}/register/items", data={"comments": [1], "action": "new"})
    assert response.status_code == 400
    with app.app_context():
        found = db.session.get(Consultation, seeded.consultation_id)
        assert found.finalised_at is None and found.published_at is None
        assert db.session.scalar(select(RegisterItem.id)) is None
    page = client.get(f"/f/c/{seeded.consultation_id}/record").get_data(as_text=True)
    response = client.post(
        f"/f/c/{seeded.consultation_id}/record/finalise", data={"confirm": "yes", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Consultation, seeded.consultation_id).finalised_at is not None
        db.session.remove()
        db.engine.dispose()


# --------------------------------------------------------------------------- the exports agree


def test_json_export_matches_schema_and_its_manifest(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    login(client)
    record, manifest, bundle = json_record(client, seeded.consultation_id)
    jsonschema.Draft202012Validator(SCHEMA).validate(record)
    assert er.verify_bundle(bundle) == []
    assert manifest["record_sha256"] == er.record_sha256(record) == manifest["files"]["record.json"]
    assert manifest["packs"] == [{"id": "three-tier", "version": 2, "title": "Three-tier ethics review"}]
    assert manifest["cards"] == [
        {
            "use_case_id": seeded.use_case_id,
            "title": record["use_cases"][0]["title"],
            "version": 1,
            "library_id": "front-door-triage",
        }
    ]
    with zipfile.ZipFile(io.BytesIO(bundle)) as z:
        sums = z.read("SHA256SUMS").decode()
    assert f"{manifest['record_sha256']}  record.json" in sums
    # The record page states the same hash.
    assert manifest["record_sha256"] in client.get(f"/f/c/{seeded.consultation_id}/record").get_data(as_text=True)

    q = record["use_cases"][0]["consent"]["positions"]
    assert {o["key"]: o["count"] for o in q["options"]} == {
        "consent": 6,
        "conditions": 3,
        "object": 5,
        "unsure": 2,
        "pass": 1,
    }
    roles = {g["label"]: g["answered"] for g in q["by_role"]["groups"]}
    assert roles == {FAMILY: 11, PRACTITIONER: 6}
    assert record["participation"]["joined"]["count"] == 17
    assert record["participation"]["withdrew"] == 1
    assert {g["label"]: g["count"] for g in record["participation"]["by_role"]["groups"]} == {
        FAMILY: 11,
        PRACTITIONER: 6,
    }
    conditions = record["use_cases"][0]["consent"]["conditions"]
    assert sorted((c["text"], c["me_too"]) for c in conditions) == [
        ("Only if families are told", 3),
        ("Tell families first", 0),
        ("Tell families first", 0),
    ]
    text = json.dumps(record)
    assert "Hidden comment text" not in text and "Leaving soon" not in text
    assert record["moderation"] == [
        {"action": "approve", "reason": None, "count": 2},
        {"action": "hide", "reason": "off_topic", "count": 2},
    ]


def test_csv_round_trip(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    login(client)
    record, _, _ = json_record(client, seeded.consultation_id)
    tables, manifest, bundle = csv_tables(client, seeded.consultation_id)
    assert er.verify_bundle(bundle) == []
    assert manifest["record_sha256"] == er.record_sha256(record)
    # Rebuild every count of the consent and concern records from the CSV and compare with the JSON.
    from_csv: dict[tuple[str, str, str, str, str], int | None] = {}
    for name in ("consent_positions.csv", "concern_results.csv"):
        for row in tables[name]:
            key = (
                row["question_id"] or row["section"],
                row["breakdown"],
                row["group"],
                row["option_key"],
                row["use_case_id"],
            )
            from_csv[key] = int(row["count"]) if row["count"] else None
    from_json: dict[tuple[str, str, str, str, str], int | None] = {}
    for uc in record["use_cases"]:
        questions = [
            uc["consent"]["positions"],
            *(q for s in ("values", "stages", "scales", "choices") for q in uc["concern"][s]),
        ]
        for q in questions:
            for o in q["options"]:
                from_json[(q["id"], "all", "", o["key"], str(uc["id"]))] = o["count"]
            for b in ("by_role", "by_workshop"):
                for g in q[b]["groups"]:
                    for o in g["options"]:
                        from_json[(q["id"], b[3:], g["label"], o["key"], str(uc["id"]))] = o["count"]
        for v in uc["concern"]["comment_values"]:
            from_json[("comment_values", "all", "", v["key"], str(uc["id"]))] = v["count"]
    assert from_csv == from_json
    comments = tables["comments.csv"]
    uc = record["use_cases"][0]
    assert len(comments) == (
        len(uc["consent"]["conditions"])
        + len(uc["consent"]["objections"]["reasons"])
        + len(uc["concern"]["comments"])
        + len(record["general_comments"])
    )
    assert {r["text"] for r in comments} == {
        c["text"]
        for c in (*uc["consent"]["conditions"], *uc["consent"]["objections"]["reasons"], *uc["concern"]["comments"])
    }
    joined = {
        r["measure"]: r["count"] for r in tables["participation.csv"] if r["scope"] == "consultation" and not r["group"]
    }
    assert joined == {"joined": "17", "consented": "17", "withdrew": "1"}
    assert [r["title"] for r in tables["workshops.csv"]] == ["Evening", "Morning"]


def test_pdf_report_numbers_match_json_and_csv(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    seeded = seed(app)
    login(client)
    record, _, _ = json_record(client, seeded.consultation_id)
    tables, _, _ = csv_tables(client, seeded.consultation_id)
    pdf = download(client, seeded.consultation_id, "pdf")
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    assert f"Record SHA-256: {er.record_sha256(record)}" in text
    # Positions: every table row (and chart bar) for an answer shows the JSON's count, which the CSV also has.
    positions = record["use_cases"][0]["consent"]["positions"]
    csv_all = {r["option_key"]: int(r["count"]) for r in tables["consent_positions.csv"] if r["breakdown"] == "all"}
    for option in positions["options"]:
        found = single_number_lines(text, option["label"])
        assert found, option["label"]
        assert set(found) == {option["count"]} == {csv_all[option["key"]]}, option["label"]
    # Who took part, by role.
    csv_roles = {r["group"]: int(r["count"]) for r in tables["participation.csv"] if r["measure"] == "joined_by_role"}
    for group in record["participation"]["by_role"]["groups"]:
        assert single_number_lines(text, group["label"]) == [group["count"]] == [csv_roles[group["label"]]]
    assert re.search(r"People who took part\s+17\b", text)
    assert "1 person took back all their answers." in text
    # The exact card wording and the questions, and the method.
    card = record["use_cases"][0]["cards_shown"][0]["card"]
    assert f"Card: {card['title']} (version 1)" in text
    assert "At which steps could things go wrong for families?" in text
    assert "Three-tier ethics review (three-tier, version 2)" in " ".join(text.split())
    assert "Hidden comment text" not in text


def test_pdf_is_tagged_and_offered_with_a_manifest(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    seeded = seed(app)
    login(client)
    bundle = download(client, seeded.consultation_id, "pdf-bundle")
    assert er.verify_bundle(bundle) == []
    with zipfile.ZipFile(io.BytesIO(bundle)) as z:
        pdf = z.read("report.pdf")
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["files"] == {"report.pdf": er.sha256_hex(pdf)}
    assert manifest["format"] == "pdf"
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(
        [shutil.which("pdfinfo") or "/usr/bin/pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Tagged:\s+yes", info)
    assert "Consultation report: Riverside" in info


def test_report_page_is_the_same_report(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    login(client)
    html = client.get(f"/f/c/{seeded.consultation_id}/record/report").get_data(as_text=True)
    assert "What people were shown" in html and "The conditions register" in html
    assert 'style="' not in html and "<script>" not in html
    assert "commonground.min.css" in html
    page = client.get(f"/f/c/{seeded.consultation_id}").get_data(as_text=True)
    assert f'href="/f/c/{seeded.consultation_id}/record"' in page


# --------------------------------------------------------------------------- register, finalise, publish


def test_register_merge_classify_respond(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    login(client)
    cid = seeded.consultation_id
    with app.app_context():
        ids = db.session.scalars(
            select(Comment.id).where(Comment.kind == "condition", Comment.status == "approved").order_by(Comment.id)
        ).all()
        hidden_id = db.session.scalar(select(Comment.id).where(Comment.status == "hidden"))
    page = client.get(f"/f/c/{cid}/register").get_data(as_text=True)
    assert "Only if families are told" in page and "Hidden comment text" not in page
    # A hidden comment cannot be added.
    response = client.post(f"/f/c/{cid}/register/items", data={"comments": [hidden_id], "action": "new"})
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(RegisterItem.id)) is None
    client.post(f"/f/c/{cid}/register/items", data={"comments": ids[:2], "action": "new", "text": "Tell families"})
    client.post(f"/f/c/{cid}/register/items", data={"comments": ids[2:], "action": "new"})
    with app.app_context():
        first, second = db.session.scalars(select(RegisterItem).order_by(RegisterItem.id)).all()
        assert (first.text, first.kind, first.use_case_id) == ("Tell families", "condition", seeded.use_case_id)
        first_id, second_id = first.id, second.id
    # Declining without a reason is refused and changes nothing.
    bad = {
        f"i{first_id}-{k}": v
        for k, v in {
            "text": "Tell families",
            "kind": "condition",
            "classification": "act",
            "owner": "",
            "response": "",
            "status": "declined",
            "decline_reason": "",
        }.items()
    }
    response = client.post(f"/f/c/{cid}/register/{first_id}", data=bad)
    assert response.status_code == 400
    assert "Say why this was declined" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RegisterItem, first_id).status == "open"
    good = {
        **bad,
        f"i{first_id}-status": "agreed",
        f"i{first_id}-owner": "Head of early help",
        f"i{first_id}-response": "We will write to every family before any score is used.",
    }
    assert client.post(f"/f/c/{cid}/register/{first_id}", data=good).status_code == 302
    assert client.post(f"/f/c/{cid}/register/{first_id}/merge", data={"other": second_id}).status_code == 302
    with app.app_context():
        item = db.session.get(RegisterItem, first_id)
        assert (item.status, item.classification, item.owner) == ("agreed", "act", "Head of early help")
        assert db.session.get(RegisterItem, second_id) is None
        assert sorted(
            db.session.scalars(select(RegisterSource.comment_id).where(RegisterSource.item_id == first_id))
        ) == sorted(ids)
    record, _, _ = json_record(client, cid)
    assert record["register"] == [
        {
            "id": first_id,
            "use_case_id": seeded.use_case_id,
            "use_case_title": record["use_cases"][0]["title"],
            "kind": "condition",
            "text": "Tell families",
            "classification": "act",
            "owner": "Head of early help",
            "response": "We will write to every family before any score is used.",
            "status": "agreed",
            "decline_reason": "",
            "sources": sorted(ids),
            "me_too": 3,
        }
    ]
    assert all(c["register_items"] == [first_id] for c in record["use_cases"][0]["consent"]["conditions"])
    assert client.post(f"/f/c/{cid}/register/{first_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(RegisterItem, first_id) is None


def test_finalise_closes_withdrawal_and_keeps_a_snapshot(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    login(client)
    cid = seeded.consultation_id
    assert client.post(f"/f/c/{cid}/record/finalise", data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        assert consultation.finalised_at is not None
        snapshot = db.session.scalar(select(RecordSnapshot).where(RecordSnapshot.reason == "finalised"))
        jsonschema.validate(snapshot.record, SCHEMA)
        assert snapshot.record["consultation"]["finalised_at"] is not None
        finalised_hash = er.record_sha256(snapshot.record)
    record, manifest, _ = json_record(client, cid)
    assert manifest["finalised_record_sha256"] == finalised_hash == er.record_sha256(record)
    page = client.get(f"/f/c/{cid}/record").get_data(as_text=True)
    assert finalised_hash in page and 'id="finalise"' not in page
    # A second finalise is refused; withdrawing is now refused too.
    client.post(f"/f/c/{cid}/record/finalise", data={"confirm": "yes"})
    with app.app_context():
        assert (
            db.session.scalar(
                select(RecordSnapshot.id).where(RecordSnapshot.reason == "finalised").order_by(RecordSnapshot.id.desc())
            )
            == snapshot.id
        )
    phone = app.test_client()
    response = phone.post("/receipt", data={"receipt": seeded.receipt, "withdraw": "confirm"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Workshop).where(Workshop.title == "Evening")) is not None
        assert len(db.session.scalars(select(Participant.id)).all()) == 17


def test_finalise_refused_while_a_workshop_runs(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    login(client)
    with app.app_context():
        db.session.scalars(select(Workshop)).first().status = "live"
        db.session.commit()
    response = client.post(
        f"/f/c/{seeded.consultation_id}/record/finalise", data={"confirm": "yes"}, follow_redirects=True
    )
    assert "A workshop is still running" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Consultation, seeded.consultation_id).finalised_at is None


def test_publish_you_said_we_did(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    login(client)
    cid = seeded.consultation_id
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id).where(Comment.kind == "condition"))
        item = RegisterItem(
            consultation_id=cid,
            use_case_id=seeded.use_case_id,
            kind="condition",
            text="Tell families about the score",
            status="declined",
            decline_reason="The law does not let us share it yet.",
            classification="influence",
        )
        db.session.add(item)
        db.session.flush()
        db.session.add(RegisterSource(item_id=item.id, comment_id=comment_id))
        db.session.commit()
        item_id = item.id
    phone = app.test_client()
    before = phone.post("/receipt", data={"receipt": seeded.receipt}).get_data(as_text=True)
    assert "has not shared what they will do yet" in before
    assert client.get(f"/o/{seeded.public_token}").status_code == 404
    # An empty summary is refused.
    assert client.post(f"/f/c/{cid}/publish", data={"summary": "  "}).status_code == 400
    response = client.post(f"/f/c/{cid}/publish", data={"summary": "Thank you.\n\nWe heard you."})
    assert response.status_code == 302
    # A later change to the register is not shown until published again.
    with app.app_context():
        db.session.get(RegisterItem, item_id).decline_reason = "Changed later"
        db.session.commit()
    after = phone.post("/receipt", data={"receipt": seeded.receipt}).get_data(as_text=True)
    assert "We heard you." in after and "Tell families about the score" in after
    assert "We will not do this." in after and "The law does not let us share it yet." in after
    assert "Others need to act. We will push them to do it." in after
    assert "Changed later" not in after
    assert client.get(f"/o/{seeded.public_token}").status_code == 404  # not public yet
    with app.app_context():
        db.session.get(Consultation, cid).public_outcome = True
        db.session.commit()
    public = app.test_client().get(f"/o/{seeded.public_token}")
    assert public.status_code == 200
    assert "Tell families about the score" in public.get_data(as_text=True)
    assert app.test_client().get("/o/not-a-token").status_code == 404


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("fmt", ["json", "csv", "pdf"])
def test_cli_export(app: Flask, runner: Any, tmp_path: Path, fmt: str) -> None:
    seeded = seed(app)
    target = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["export", str(seeded.consultation_id), "--format", fmt, "--output", str(target)])
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    if fmt == "pdf":
        manifest = json.loads((tmp_path / "out.pdf.manifest.json").read_text())
        assert manifest["files"]["report.pdf"] == er.sha256_hex(data)
    else:
        assert er.verify_bundle(data) == []
        manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
        check = runner.invoke(args=["verify-export", str(target)])
        assert check.exit_code == 0 and "Every file matches" in check.output
    assert f"Record SHA-256: {manifest['record_sha256']}" in result.output


def test_cli_export_unknown_consultation(runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(args=["export", "999", "--output", str(tmp_path / "x.zip")])
    assert result.exit_code != 0 and "There is no consultation 999" in result.output
    assert not (tmp_path / "x.zip").exists()


def test_verify_export_reports_a_changed_file(app: Flask, runner: Any, tmp_path: Path) -> None:
    seeded = seed(app)
    target = tmp_path / "r.zip"
    assert runner.invoke(args=["export", str(seeded.consultation_id), "--output", str(target)]).exit_code == 0
    source = zipfile.ZipFile(target)
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(changed, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            out.writestr(name, data.replace(b'"count":6', b'"count":7', 1) if name == "record.json" else data)
    result = runner.invoke(args=["verify-export", str(changed)])
    assert result.exit_code != 0 and "record.json has changed" in result.output


def test_record_snapshot_after_purge_is_exported(app: Flask, client: FlaskClient) -> None:
    """Once raw answers are purged, exports use the record kept at the purge (with the live register)."""
    from workshop.services import records as rs

    seeded = seed(app)
    login(client)
    before, _, _ = json_record(client, seeded.consultation_id)
    with app.app_context():
        consultation = db.session.get(Consultation, seeded.consultation_id)
        db.session.add(RecordSnapshot(consultation_id=consultation.id, reason="purge", record=before))
        db.session.execute(Participant.__table__.delete())
        consultation.purged_at = consultation.created_at
        db.session.commit()
        assert rs.build(db.session, consultation).as_dict()["participation"]["joined"]["count"] == 0
    after, _, _ = json_record(client, seeded.consultation_id)
    # The same record, less its free text: the team did not choose to keep comments.
    assert free_texts(before) and free_texts(after) == []
    assert after["use_cases"] == without_free_text(before)["use_cases"]
    options = after["use_cases"][0]["consent"]["positions"]["options"]
    positions = defaultdict(int, {o["key"]: o["count"] for o in options})
    assert positions["consent"] == 6 and set(POSITIONS) <= set(positions)
