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
    saved = client.post(f"/f/c/{cid}/w/{wid}/assisted/{person.id}/{position}",
                        data={"position": "conditions", "conditions": ["Only if a person checks", ""]})
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
