"""Assisted answers: paper forms typed in by a facilitator, and a shared tablet."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.models import Participant, Response, Workshop


def _demo(app: Flask, auth) -> tuple[int, int, str]:
    from workshop.services.demo import seed_demo

    with app.app_context():
        _f, _pw, workshop = seed_demo(db.session, app.extensions["cg_library"], password="demo-password-1")
        db.session.commit()
        return workshop.consultation_id, workshop.id, workshop.join_code


def test_paper_form_becomes_an_assisted_participant(app: Flask, client, auth) -> None:
    cid, wid, _code = _demo(app, auth)
    auth.login("demo", "demo-password-1")
    page = client.get(f"/f/c/{cid}/w/{wid}/assisted")
    assert page.status_code == 200 and b"paper form" in page.data
    started = client.post(f"/f/c/{cid}/w/{wid}/assisted", data={"role": "Family member"})
    assert started.status_code == 302
    entry = started.location
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        prompts = [s for s in workshop.steps if s.kind == "prompt"]
        person = db.session.scalar(select(Participant).where(Participant.workshop_id == wid))
        assert person.assisted and person.role == "Family member"
        position = next(s.position for s in prompts if s.prompt_type == "position")
    assert entry.endswith(f"/{prompts[0].position}")
    # The workshop has not even started: paper answers go in all the same, any question.
    saved = client.post(
        f"/f/c/{cid}/w/{wid}/assisted/{person.id}/{position}",
        data={"position": "conditions", "conditions": ["Only if a person checks", ""]},
    )
    assert saved.status_code == 302
    bad = client.post(f"/f/c/{cid}/w/{wid}/assisted/{person.id}/{prompts[0].position}", data={"values": "greed"})
    assert bad.status_code == 400 and b"Please choose from the values shown." in bad.data
    skipped = client.post(f"/f/c/{cid}/w/{wid}/assisted/{person.id}/{prompts[0].position}", data={"skip": "1"})
    assert skipped.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    last = prompts[-1].position
    done = client.post(f"/f/c/{cid}/w/{wid}/assisted/{person.id}/{last}", data={"skip": "1"})
    assert done.location.endswith(f"/assisted/{person.id}/done")
    receipt_page = client.get(done.location)
    assert re.search(rb"[A-Z2-9]{5}-[A-Z2-9]{5}", receipt_page.data)
    # The receipt is shown once only.
    assert not re.search(rb"[A-Z2-9]{5}-[A-Z2-9]{5}", client.get(done.location).data)


def test_assisted_entry_is_only_for_the_consultations_facilitators(app: Flask, client, auth) -> None:
    cid, wid, _code = _demo(app, auth)
    auth.create("other", "another long password")
    auth.login("other", "another long password")
    assert client.get(f"/f/c/{cid}/w/{wid}/assisted").status_code == 404
    assert client.get(f"/f/c/{cid}/w/{wid}/paper").status_code == 404
    assert client.post(f"/f/c/{cid}/w/{wid}/assisted", data={}).status_code == 404


def test_shared_tablet_marks_each_person_assisted(app: Flask, client, auth) -> None:
    cid, wid, code = _demo(app, auth)
    auth.login("demo", "demo-password-1")
    assert client.post(f"/f/c/{cid}/w/{wid}/tablet").status_code == 302
    for _person in range(2):
        assert client.post(f"/j/{code}").status_code == 302
        assert b"Finish and pass it on" in client.get(f"/w/{code}").data
        assert client.post(f"/w/{code}/next-person").status_code == 302
    with app.app_context():
        people = db.session.scalars(select(Participant).where(Participant.workshop_id == wid)).all()
        assert len(people) == 2 and all(p.assisted for p in people)


def test_paper_version_lists_every_step(app: Flask, client, auth) -> None:
    cid, wid, _code = _demo(app, auth)
    auth.login("demo", "demo-password-1")
    page = client.get(f"/f/c/{cid}/w/{wid}/paper")
    assert page.status_code == 200
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        for step in workshop.steps:
            wording = step.content.get("question") or step.content.get("title") or step.content["card"]["title"]
            assert wording.replace("'", "&#39;").encode() in page.data


def test_record_counts_assisted_people_and_languages_apart(app: Flask, auth) -> None:
    from workshop.models import Consultation
    from workshop.services import participation as ps
    from workshop.services import records as rs

    cid, wid, _code = _demo(app, auth)
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        for n in range(12):
            # 6 on their own phones in English, 5 assisted in Welsh, 1 assisted in English.
            ps.join(db.session, workshop, assisted=n >= 6, language="cy" if 6 <= n < 11 else "en")
        db.session.commit()
        record = rs.build(db.session, db.session.get(Consultation, cid)).as_dict()
    part = record["participation"]
    ways = {g["label"]: g["display"] for g in part["by_way"]["groups"]}
    assert ways == {"On their own device": "6", "Assisted (paper form or shared tablet)": "6"}
    languages = {g["label"]: g["display"] for g in part["by_language"]["groups"]}
    # 7 English, 5 Welsh: both groups are at least k=5, so both are shown.
    assert languages == {"English": "7", "Welsh": "5"}
    # Nothing in the record ties a language or an assisted person to an answer.
    assert "language" not in str(record["use_cases"]) and "assisted" not in str(record["use_cases"]).lower()


def test_small_assisted_group_is_not_shown_on_its_own(app: Flask, auth) -> None:
    from workshop.models import Consultation
    from workshop.services import participation as ps
    from workshop.services import records as rs

    cid, wid, _code = _demo(app, auth)
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        for n in range(9):
            ps.join(db.session, workshop, assisted=n == 0)
        db.session.commit()
        record = rs.build(db.session, db.session.get(Consultation, cid)).as_dict()
    shown = [g for g in record["participation"]["by_way"]["groups"] if g["display"].isdigit() and int(g["display"]) < 5]
    assert shown == []
