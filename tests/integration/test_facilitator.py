"""The facilitator's workspace: consultations, use cases, workshops, members, and who sees what."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.support import answer
from workshop.domain.codes import JOIN_ALPHABET, JOIN_LENGTH
from workshop.domain.packs import CARD_FIELDS
from workshop.extensions import db
from workshop.models import Consultation, UseCase, Workshop, WorkshopStep

CONSULTATION = {
    "title": "Riverside: tools in early help",
    "organisation": "Riverside Council",
    "description": "What families think.",
    "k_threshold": "5",
    "retention_days": "365",
}


def _new_consultation(client: Any, **fields: str) -> int:
    response = client.post("/f/consultations/new", data={**CONSULTATION, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/f/c/(\d+)$", response.headers["Location"])
    assert match
    return int(match.group(1))


def _copy_cards(app: Flask, client: Any, cid: int, n: int | None = None) -> list[int]:
    card_ids = list(app.extensions["cg_library"].cards)[:n]
    for card_id in card_ids:
        response = client.post(f"/f/c/{cid}/library", data={"card": card_id})
        assert response.status_code == 302
    with app.app_context():
        return list(db.session.scalars(select(UseCase.id).where(UseCase.consultation_id == cid).order_by(UseCase.id)))


def _new_workshop(app: Flask, client: Any, cid: int, use_case_ids: list[int], title: str = "Evening session") -> int:
    pack = app.extensions["cg_library"].default_pack.id
    response = client.post(
        f"/f/c/{cid}/workshops/new",
        data={
            "title": title,
            "pack": pack,
            "use_cases": [str(u) for u in use_case_ids],
            "roles": "Family member\nSocial worker",
            "moderation": "auto",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/f/c/\d+/w/(\d+)$", response.headers["Location"])
    assert match
    return int(match.group(1))


def _use_case_fields(app: Flask, uid: int) -> dict[str, str]:
    with app.app_context():
        use_case = db.session.get(UseCase, uid)
        return {name: getattr(use_case, name) for name in CARD_FIELDS}


def test_create_list_and_edit_a_consultation(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    page = client.get(f"/f/c/{cid}").get_data(as_text=True)
    assert CONSULTATION["title"] in page
    assert CONSULTATION["title"] in client.get("/f/").get_data(as_text=True)

    form = client.get(f"/f/c/{cid}/edit")
    assert form.status_code == 200
    assert CONSULTATION["title"] in form.get_data(as_text=True)
    response = client.post(f"/f/c/{cid}/edit", data={**CONSULTATION, "title": "  A new title  ", "k_threshold": "7"})
    assert response.status_code == 302
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        assert consultation.title == "A new title"
        assert consultation.k_threshold == 7
        assert consultation.owner_id == owner


def test_new_consultation_defaults_come_from_config(app: Flask, client: Any, owner: int) -> None:
    page = client.get("/f/consultations/new").get_data(as_text=True)
    assert f'value="{app.config["SMALL_GROUP_K"]}"' in page
    assert f'value="{app.config["RETENTION_DAYS"]}"' in page


def test_archive_and_bring_back_a_consultation(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    assert client.post(f"/f/c/{cid}/archive", data={"archived": "1"}).status_code == 302
    assert CONSULTATION["title"] not in client.get("/f/").get_data(as_text=True)
    assert CONSULTATION["title"] in client.get("/f/?archived=1").get_data(as_text=True)
    assert "(archived)" in client.get(f"/f/c/{cid}").get_data(as_text=True)
    assert client.post(f"/f/c/{cid}/archive", data={"archived": "0"}).status_code == 302
    assert CONSULTATION["title"] in client.get("/f/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Consultation, cid).archived is False


def test_copy_every_library_card(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    cards = app.extensions["cg_library"].cards
    assert len(cards) == 6
    library_page = client.get(f"/f/c/{cid}/library").get_data(as_text=True)
    for card in cards.values():
        assert card.title.replace("'", "&#39;") in library_page
    uids = _copy_cards(app, client, cid)
    assert len(uids) == 6
    with app.app_context():
        copied = db.session.scalars(select(UseCase).where(UseCase.consultation_id == cid)).all()
        assert {u.library_id for u in copied} == set(cards)
        for use_case in copied:
            card = cards[use_case.library_id]
            assert use_case.library_version == card.version
            assert {name: getattr(use_case, name) for name in CARD_FIELDS} == dict(card.fields)
    page = client.get(f"/f/c/{cid}").get_data(as_text=True)
    assert len(re.findall(r"version 1, from the library", page)) == 6


def test_copy_an_unknown_card_is_404(client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    assert client.post(f"/f/c/{cid}/library", data={"card": "no-such-card"}).status_code == 404


def test_edit_a_use_case_raises_its_version(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    [uid] = _copy_cards(app, client, cid, 1)
    fields = _use_case_fields(app, uid)
    # Saving without a change keeps the version.
    assert client.post(f"/f/c/{cid}/use-cases/{uid}/edit", data=fields).status_code == 302
    with app.app_context():
        assert db.session.get(UseCase, uid).version == 1
    response = client.post(f"/f/c/{cid}/use-cases/{uid}/edit", data={**fields, "title": "A changed title"})
    assert response.status_code == 302
    with app.app_context():
        use_case = db.session.get(UseCase, uid)
        assert use_case.version == 2
        assert use_case.title == "A changed title"
    assert "version 2" in client.get(f"/f/c/{cid}").get_data(as_text=True)


def test_write_a_new_use_case(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    fields = {name: f"Some words for {name}." for name in CARD_FIELDS}
    assert client.post(f"/f/c/{cid}/use-cases/new", data=fields).status_code == 302
    with app.app_context():
        use_case = db.session.scalar(select(UseCase).where(UseCase.consultation_id == cid))
        assert use_case.title == fields["title"] and use_case.version == 1 and use_case.library_id is None


def test_archive_a_use_case(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    uids = _copy_cards(app, client, cid, 2)
    title = _use_case_fields(app, uids[0])["title"]
    client.get(f"/f/c/{cid}")  # show (and so clear) the "Copied ..." messages, which name the card
    assert client.post(f"/f/c/{cid}/use-cases/{uids[0]}/archive", data={"archived": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(UseCase, uids[0]).archived is True
    page = client.get(f"/f/c/{cid}").get_data(as_text=True)
    assert title.replace("'", "&#39;") not in page
    # An archived use case is not offered for a new workshop.
    assert title.replace("'", "&#39;") not in client.get(f"/f/c/{cid}/workshops/new").get_data(as_text=True)


def test_create_a_workshop(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    uids = _copy_cards(app, client, cid, 2)
    wid = _new_workshop(app, client, cid, uids)
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        assert workshop.status == "ready"
        assert len(workshop.join_code) == JOIN_LENGTH
        assert set(workshop.join_code) <= set(JOIN_ALPHABET)
        assert workshop.roles == ["Family member", "Social worker"]
        assert workshop.moderation == "pre"  # families take part, so comments are checked first
        pack = app.extensions["cg_library"].default_pack
        assert len(workshop.steps) == len(pack.opening) + 2 * len(pack.per_use_case) + len(pack.closing)
        code = workshop.join_code
    page = client.get(f"/f/c/{cid}/w/{wid}").get_data(as_text=True)
    assert code in page
    assert f"/j/{code}" in page


def test_join_codes_are_unique_among_open_workshops(
    app: Flask, client: Any, owner: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = _new_consultation(client)
    uids = _copy_cards(app, client, cid, 1)
    codes = []
    for n in range(5):
        wid = _new_workshop(app, client, cid, uids, title=f"Session {n}")
        with app.app_context():
            codes.append(db.session.get(Workshop, wid).join_code)
    assert len(set(codes)) == len(codes)

    # A code that an open workshop uses is never given out again...
    from workshop.services import workshops as ws

    offered = iter([codes[0], codes[1], "QQQQQQ"])
    monkeypatch.setattr(ws, "new_join_code", lambda: next(offered))
    wid = _new_workshop(app, client, cid, uids, title="Session 6")
    with app.app_context():
        assert db.session.get(Workshop, wid).join_code == "QQQQQQ"

    # ...and the database refuses one too, while an ended workshop's code can be used again.
    with app.app_context():
        second = db.session.get(Workshop, wid)
        second.join_code = codes[0]
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        first = db.session.scalar(select(Workshop).where(Workshop.join_code == codes[0]))
        first.status = "ended"
        db.session.commit()
        db.session.get(Workshop, wid).join_code = codes[0]
        db.session.commit()


def test_qr_code_is_served_and_embedded(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    wid = _new_workshop(app, client, cid, _copy_cards(app, client, cid, 1))
    response = client.get(f"/f/c/{cid}/w/{wid}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.lstrip().startswith("<svg")
    assert 'role="img"' in svg and "<path" in svg
    page = client.get(f"/f/c/{cid}/w/{wid}").get_data(as_text=True)
    assert '<svg role="img"' in page
    assert "<script" not in svg


def test_public_url_is_used_for_the_join_link(app: Flask, client: Any, owner: int) -> None:
    app.config["PUBLIC_URL"] = "http://192.168.1.20:5000/"
    cid = _new_consultation(client)
    wid = _new_workshop(app, client, cid, _copy_cards(app, client, cid, 1))
    page = client.get(f"/f/c/{cid}/w/{wid}").get_data(as_text=True)
    assert re.search(r'href="http://192\.168\.1\.20:5000/j/[A-Z0-9]{6}"', page)


def test_workshop_steps_are_frozen(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    [uid] = _copy_cards(app, client, cid, 1)
    wid = _new_workshop(app, client, cid, [uid])
    before = _use_case_fields(app, uid)
    with app.app_context():
        frozen = [
            dict(s.content)
            for s in db.session.scalars(
                select(WorkshopStep).where(WorkshopStep.workshop_id == wid).order_by(WorkshopStep.position)
            )
        ]
    assert any(c.get("card", {}).get("title") == before["title"] for c in frozen)

    changed = {**before, "title": "Renamed after the workshop was made", "summary": "Different words."}
    assert client.post(f"/f/c/{cid}/use-cases/{uid}/edit", data=changed).status_code == 302
    with app.app_context():
        after = [
            dict(s.content)
            for s in db.session.scalars(
                select(WorkshopStep).where(WorkshopStep.workshop_id == wid).order_by(WorkshopStep.position)
            )
        ]
    assert after == frozen
    assert all(c.get("card", {}).get("version", 1) == 1 for c in after)
    page = client.get(f"/f/c/{cid}/w/{wid}").get_data(as_text=True)
    assert "Renamed after the workshop was made" not in page


def test_member_sees_it_and_a_third_facilitator_gets_404_everywhere(
    app: Flask, client: Any, auth: Any, owner: int
) -> None:
    cid = _new_consultation(client)
    uids = _copy_cards(app, client, cid, 1)
    wid = _new_workshop(app, client, cid, uids)
    auth.create("bo", "bo's long password")
    auth.create("cy", "cy's long password")

    # The form never tells who has an account: a real name nobody here works with (cy) gets
    # exactly the same refusal as a name that does not exist.
    refusals = {}
    for name in ("nobody", "cy", "bo"):
        response = client.post(f"/f/c/{cid}/members", data={"name": name}, follow_redirects=True)
        found = re.search(r'govuk-error-summary__body">(.*?)</div>', response.get_data(as_text=True), re.S)
        assert found and "We could not add" in found.group(1)
        refusals[name] = found.group(1).replace(f"add {name}.", "add NAME.")
    assert refusals["nobody"] == refusals["cy"] == refusals["bo"]
    # Once bo shares another consultation with alex (added on the server), the form adds bo.
    runner = app.test_cli_runner()
    other_cid = _new_consultation(client)
    assert runner.invoke(args=["facilitator", "share", str(other_cid), "bo"]).exit_code == 0
    response = client.post(f"/f/c/{cid}/members", data={"name": "bo"})
    assert response.status_code == 302
    assert "bo can now see and run this consultation." in client.get(f"/f/c/{cid}").get_data(as_text=True)
    response = client.post(f"/f/c/{cid}/members", data={"name": "bo"}, follow_redirects=True)
    assert "bo can already see this consultation." in response.get_data(as_text=True)

    member = app.test_client()
    assert auth.login("bo", "bo's long password", client=member).status_code == 302
    assert CONSULTATION["title"] in member.get("/f/").get_data(as_text=True)
    assert member.get(f"/f/c/{cid}").status_code == 200
    assert member.get(f"/f/c/{cid}/w/{wid}/console").status_code == 200

    outsider = app.test_client()
    assert auth.login("cy", "cy's long password", client=outsider).status_code == 302
    assert CONSULTATION["title"] not in outsider.get("/f/").get_data(as_text=True)
    with app.app_context():
        before = (
            db.session.get(Consultation, cid).title,
            db.session.get(UseCase, uids[0]).version,
            db.session.get(Workshop, wid).status,
            db.session.scalar(select(func.count()).select_from(UseCase)),
        )
    ids = {"consultation_id": cid, "workshop_id": wid, "use_case_id": uids[0]}
    checked = []
    for rule in app.url_map.iter_rules():
        if "consultation_id" not in rule.arguments:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(r"<(?:[^:<>]+:)?" + name + r">", str(ids.get(name, 1)), path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {
                "archived": "1",
                "title": "Taken over",
                "name": "cy",
                "card": "front-door-triage",
                "action": "end",
                "k_threshold": "5",
                "retention_days": "365",
            }
            response = outsider.open(path, method=method, data=data if method == "POST" else None)
            assert response.status_code == 404, f"{method} {path} answered {response.status_code} to an outsider"
            checked.append(rule.endpoint)
    assert {
        "facilitator.consultation",
        "facilitator.edit_use_case",
        "facilitator.workshop",
        "facilitator.console",
        "facilitator.control",
        "facilitator.workshop_qr",
        "facilitator.add_member",
    } <= set(checked)
    with app.app_context():
        after = (
            db.session.get(Consultation, cid).title,
            db.session.get(UseCase, uids[0]).version,
            db.session.get(Workshop, wid).status,
            db.session.scalar(select(func.count()).select_from(UseCase)),
        )
    assert after == before


def test_only_the_owner_sees_the_add_member_form(app: Flask, client: Any, auth: Any, owner: int) -> None:
    cid = _new_consultation(client)
    auth.create("bo", "bo's long password")
    assert app.test_cli_runner().invoke(args=["facilitator", "share", str(cid), "bo"]).exit_code == 0
    member = app.test_client()
    auth.login("bo", "bo's long password", client=member)
    assert "Add facilitator" not in member.get(f"/f/c/{cid}").get_data(as_text=True)
    assert "Add facilitator" in client.get(f"/f/c/{cid}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Give the consultation a title."),
        ({"title": "x" * 201}, "200"),
        ({"k_threshold": "1"}, "Use a number from 2 to 50."),
        ({"k_threshold": ""}, "Enter a number."),
        ({"retention_days": "0"}, "Use a number from 1 to 3650."),
    ],
)
def test_consultation_form_errors_are_plain_and_change_nothing(
    app: Flask, client: Any, owner: int, fields: dict[str, str], message: str
) -> None:
    response = client.post("/f/consultations/new", data={**CONSULTATION, **fields})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "There is a problem" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0

    cid = _new_consultation(client)
    response = client.post(f"/f/c/{cid}/edit", data={**CONSULTATION, **fields})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        assert (consultation.title, consultation.k_threshold, consultation.retention_days) == (
            CONSULTATION["title"],
            5,
            365,
        )


def test_use_case_form_errors_are_plain_and_change_nothing(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    [uid] = _copy_cards(app, client, cid, 1)
    before = _use_case_fields(app, uid)
    response = client.post(f"/f/c/{cid}/use-cases/{uid}/edit", data={**before, "summary": "", "who_sees": "  "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"Fill in &#39;{CARD_FIELDS['summary']}&#39;." in page
    assert f"Fill in &#39;{CARD_FIELDS['who_sees']}&#39;." in page
    assert _use_case_fields(app, uid) == before
    with app.app_context():
        assert db.session.get(UseCase, uid).version == 1
    response = client.post(f"/f/c/{cid}/use-cases/new", data={"title": "Only a title"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UseCase)) == 1


def test_workshop_form_errors_are_plain_and_change_nothing(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    uids = _copy_cards(app, client, cid, 1)
    pack = app.extensions["cg_library"].default_pack.id
    cases = [
        ({"title": "", "pack": pack, "use_cases": [str(uids[0])]}, "Give the workshop a name."),
        ({"title": "T", "pack": pack}, "Choose at least one use case."),
        ({"title": "T", "pack": "no-such-pack", "use_cases": [str(uids[0])]}, "Not a valid choice"),
        ({"title": "T", "pack": pack, "use_cases": ["999999"]}, "Not a valid choice"),
    ]
    for data, message in cases:
        response = client.post(f"/f/c/{cid}/workshops/new", data={**data, "moderation": "auto"})
        assert response.status_code == 400, data
        assert message.lower() in response.get_data(as_text=True).lower(), data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_workshop_settings_save_and_refuse_bad_input(app: Flask, client: Any, owner: int) -> None:
    cid = _new_consultation(client)
    wid = _new_workshop(app, client, cid, _copy_cards(app, client, cid, 1))
    data = {
        "title": "Renamed",
        "roles": "Parent\n\nCarer\n",
        "moderation": "post",
        "redaction_names": "Jayden\njayden\nSt Mary's School",
        "safeguarding_phrases": "",
    }
    assert client.post(f"/f/c/{cid}/w/{wid}/settings", data=data).status_code == 302
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        assert (workshop.title, workshop.roles, workshop.moderation) == ("Renamed", ["Parent", "Carer"], "post")
        assert "St Mary's School" in workshop.redaction_names
    response = client.post(
        f"/f/c/{cid}/w/{wid}/settings", data={**data, "title": "", "moderation": "never"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Those settings could not be saved" in page
    assert "Give the workshop a name." in page
    with app.app_context():
        assert db.session.get(Workshop, wid).title == "Renamed"


def test_unknown_ids_are_404_in_plain_words(client: Any, owner: int) -> None:
    response = client.get("/f/c/999999")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    cid = _new_consultation(client)
    assert client.get(f"/f/c/{cid}/w/999999").status_code == 404
    assert client.get(f"/f/c/{cid}/use-cases/999999/edit").status_code == 404


class _Focusables(HTMLParser):
    """Every control a keyboard can reach in a page, and whether it has an id."""

    def __init__(self) -> None:
        super().__init__()
        self.without_id: list[str] = []
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        reachable = tag in ("button", "summary", "select", "textarea") or (tag == "a" and "href" in found)
        reachable = reachable or (tag == "input" and found.get("type") != "hidden")
        if reachable:
            self.count += 1
            if not found.get("id"):
                self.without_id.append(f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)}>")


@pytest.mark.parametrize("revealed", [False, True])
def test_every_console_control_keeps_focus_across_a_redraw(
    client: Any, live: Any, factory: Any, revealed: bool
) -> None:
    # The console panel is redrawn on every update and puts keyboard focus back by id
    # (static/js/common.js refresh()); a control without an id sends a keyboard user back
    # to the heading whenever an answer comes in.
    position = factory.goto(live, prompt_type="position")
    factory.control(live, "start_timer", 60)
    _, phone = factory.phone(live)
    assert answer(phone, position, {"position": "consent"})["ok"]
    if revealed:
        factory.control(live, "reveal")
    response = client.get(live.base + "/console/panel")
    assert response.status_code == 200
    parser = _Focusables()
    parser.feed(response.get_data(as_text=True))
    assert parser.count > 10, "the panel has hardly any controls: is this the console panel?"
    assert not parser.without_id, "controls without an id lose keyboard focus on a redraw:\n" + "\n".join(
        parser.without_id
    )
