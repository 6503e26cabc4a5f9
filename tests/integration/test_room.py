"""One person, one voice: presence codes, the join cap, invitations, tablets, voiding, the record."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from tests.support import Factory, Live, answer
from workshop.domain import presence as pr
from workshop.extensions import db
from workshop.models import ControlEvent, InvitationCode, Participant, Response, Workshop
from workshop.qr import qr_svg
from workshop.services import room


def _set(app: Flask, live: Live, **fields: Any) -> None:
    with app.app_context():
        workshop = db.session.get(Workshop, live.workshop_id)
        for name, value in fields.items():
            setattr(workshop, name, value)
        db.session.commit()


def _code_at(app: Flask, live: Live, moment: datetime) -> str:
    with app.app_context():
        secret = db.session.get(Workshop, live.workshop_id).presence_secret
    assert secret
    return pr.presence_code(secret, pr.minute_of(moment))


def _join(client: FlaskClient, code: str, **form: str) -> Any:
    return client.post(f"/j/{code}", data=form)


def _record(app: Flask, live: Live) -> dict[str, Any]:
    from workshop.models import Consultation
    from workshop.services.records import current_record

    with app.app_context():
        consultation = db.session.get(Consultation, live.consultation_id)
        return current_record(db.session, consultation, app.extensions["cg_library"].packs)


def _phones(app: Flask, live: Live) -> int:
    with app.app_context():
        return room.phone_joins(db.session, live.workshop_id)


# --- the presence code ----------------------------------------------------------------------


def test_a_live_room_needs_the_number_on_the_big_screen(app: Flask, live: Live) -> None:
    _set(app, live, protection="presence")
    page = app.test_client().get(f"/j/{live.code}").get_data(as_text=True)
    assert 'name="pc"' in page and "Number on the big screen" in page
    missing = _join(app.test_client(), live.code)
    assert missing.status_code == 400
    assert "Please type the number shown on the big screen." in missing.get_data(as_text=True)
    now = datetime.now(UTC)
    right = _code_at(app, live, now)
    wrong = f"{(int(right) + 1) % 10**pr.PRESENCE_DIGITS:05d}"
    refused = _join(app.test_client(), live.code, pc=wrong)
    assert refused.status_code == 400
    assert "That number is not the one on the big screen" in refused.get_data(as_text=True)
    stale = _join(app.test_client(), live.code, pc=_code_at(app, live, now - timedelta(minutes=3)))
    assert stale.status_code == 400
    assert _phones(app, live) == 0  # a refused join changes nothing
    ok = _join(app.test_client(), live.code, pc=right)
    assert ok.status_code == 302 and f"/w/{live.code}/role" in ok.headers["Location"]
    last_minute = _join(app.test_client(), live.code, pc=_code_at(app, live, now - timedelta(seconds=60)))
    assert last_minute.status_code == 302  # the code of the minute before still works
    assert _phones(app, live) == 2


def test_the_projector_qr_code_carries_this_minutes_number(app: Flask, live: Live) -> None:
    _set(app, live, protection="presence")
    page = app.test_client().get(f"/p/{live.projector_token}").get_data(as_text=True)
    shown = re.search(r'id="projector-presence" data-left="(\d+)">(\d{5})<', page)
    assert shown, page
    left, number = int(shown.group(1)), shown.group(2)
    assert 1 <= left <= 60
    scan = re.search(r'data-join="([^"]+)"', page)
    assert scan and scan.group(1).endswith(f"/j/{live.code}?pc={number}")
    # The QR drawing is exactly the one for that address.
    assert qr_svg(scan.group(1), title=f"QR code to join at {scan.group(1).split('?')[0]}") in page
    # Scanning it: the welcome page has the number filled in, and joining needs nothing else.
    phone_page = app.test_client()
    welcome = phone_page.get(scan.group(1).removeprefix("http://localhost")).get_data(as_text=True)
    assert f'value="{number}"' in welcome
    assert phone_page.post(f"/j/{live.code}", data={"pc": number}).status_code == 302


def test_an_open_workshop_asks_for_no_code(app: Flask, live: Live) -> None:
    page = app.test_client().get(f"/j/{live.code}").get_data(as_text=True)
    assert 'name="pc"' not in page and 'name="inv"' not in page
    assert _join(app.test_client(), live.code).status_code == 302


# --- the join cap -----------------------------------------------------------------------------


def test_past_the_cap_phones_wait_until_the_facilitator_lets_more_in(
    app: Flask, client: FlaskClient, live: Live
) -> None:
    _set(app, live, protection="presence", join_cap=2, expected_attendance=2)
    number = _code_at(app, live, datetime.now(UTC))
    for _ in range(2):
        assert _join(app.test_client(), live.code, pc=number).status_code == 302
    late = app.test_client()
    full = _join(late, live.code, pc=number)
    assert full.status_code == 503
    body = full.get_data(as_text=True)
    assert "The room is full" in body and "ask the facilitator" in body
    assert 'id="room-retry"' in body and "js/waiting.js" in body  # a button without JavaScript
    assert late.get(f"/j/{live.code}/room").get_json() == {"open": False, "ended": False}
    assert _phones(app, live) == 2
    # The console warns and offers to let more in.
    console = client.get(f"/f/c/{live.consultation_id}/w/{live.workshop_id}/console/panel").get_data(as_text=True)
    assert 'id="console-room-full"' in console
    assert (
        client.post(f"/f/c/{live.consultation_id}/w/{live.workshop_id}/room/raise", data={"by": 5}).status_code == 302
    )
    assert late.get(f"/j/{live.code}/room").get_json() == {"open": True, "ended": False}
    # The waiting phone's retry needs no new number: it proved it was in the room before.
    again = late.post(f"/j/{live.code}")
    assert again.status_code == 302, again.get_data(as_text=True)
    assert _phones(app, live) == 3
    with app.app_context():
        assert db.session.get(Workshop, live.workshop_id).join_cap == 7


def test_assisted_and_tablet_joins_skip_the_code_and_the_cap(app: Flask, client: FlaskClient, live: Live) -> None:
    _set(app, live, protection="presence", join_cap=1)
    assert _join(app.test_client(), live.code, pc=_code_at(app, live, datetime.now(UTC))).status_code == 302
    made = client.post(f"/f/c/{live.consultation_id}/w/{live.workshop_id}/tablet-code")
    code = re.search(r'id="tablet-code">([A-Z0-9]{6})<', made.get_data(as_text=True))
    assert code
    tablet = app.test_client()
    assert tablet.post("/tablet", data={"code": "AAAAAA"}).status_code == 400
    enrolled = tablet.post("/tablet", data={"code": code.group(1).lower()})
    assert enrolled.status_code == 302 and f"/j/{live.code}" in enrolled.headers["Location"]
    assert 'name="pc"' not in tablet.get(f"/j/{live.code}").get_data(as_text=True)
    assert _join(tablet, live.code).status_code == 302  # no number, and past the cap
    # Single use: a second tablet cannot reuse the code.
    assert app.test_client().post("/tablet", data={"code": code.group(1)}).status_code == 400
    with app.app_context():
        people = db.session.scalars(select(Participant).where(Participant.workshop_id == live.workshop_id)).all()
        assert sorted(p.assisted for p in people) == [False, True]


def test_a_tablet_code_stops_working_after_ten_minutes(app: Flask, live: Live) -> None:
    with app.app_context():
        workshop = db.session.get(Workshop, live.workshop_id)
        code, expires = room.make_tablet_code(db.session, workshop, now=datetime.now(UTC) - timedelta(minutes=11))
        db.session.commit()
    assert expires < datetime.now(UTC)
    assert app.test_client().post("/tablet", data={"code": code}).status_code == 400


# --- invitations ------------------------------------------------------------------------------


def test_invitation_codes_let_in_one_person_each_and_keep_no_link(app: Flask, client: FlaskClient, live: Live) -> None:
    _set(app, live, protection="invitation")
    cards = client.post(f"/f/c/{live.consultation_id}/w/{live.workshop_id}/invitations", data={"count": 3})
    page = cards.get_data(as_text=True)
    codes = re.findall(r'data-code="([A-Z0-9]{5}-[A-Z0-9]{5})"', page)
    assert len(codes) == 3 and len(set(codes)) == 3
    assert page.count("<svg") == 3  # a QR code on every card
    link = f"http://localhost/j/{live.code}?inv={codes[0]}"
    assert f'data-link="{link}"' in page
    assert qr_svg(link, title=f"QR code for invitation {codes[0]}") in page  # the card's QR code opens it
    welcome = app.test_client().get(link.removeprefix("http://localhost")).get_data(as_text=True)
    assert f'value="{codes[0]}"' in welcome  # scanning fills the code in
    assert _join(app.test_client(), live.code).status_code == 400
    assert _join(app.test_client(), live.code, inv="ACDEF-GHJKM").status_code == 400
    assert _join(app.test_client(), live.code, inv=codes[0].lower().replace("-", " ")).status_code == 302
    reused = _join(app.test_client(), live.code, inv=codes[0])
    assert reused.status_code == 400 and "does not work" in reused.get_data(as_text=True)
    assert _join(app.test_client(), live.code, inv=codes[1]).status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(InvitationCode)).all()
        assert len(rows) == 3 and sum(r.used for r in rows) == 2
        assert all(code.replace("-", "") not in r.code_hash for r in rows for code in codes)
        # An unordered set: no id, no time, nothing pointing at a participant.
        columns = {c["name"] for c in inspect(db.engine).get_columns("invitation_code")}
        assert columns == {"workshop_id", "code_hash", "used"}
        assert not any("invitation" in c["name"] for c in inspect(db.engine).get_columns("participant"))
        assert room.invitation_counts(db.session, live.workshop_id) == (3, 2)


# --- the alarm and voiding --------------------------------------------------------------------


def _burst(app: Flask, live: Live, n: int, at: datetime) -> None:
    with app.app_context():
        workshop = db.session.get(Workshop, live.workshop_id)
        for i in range(n):
            from workshop.services import participation as ps

            person, _ = ps.join(db.session, workshop)
            person.created_at = at + timedelta(milliseconds=100 * i)
        db.session.commit()


def test_the_console_warns_of_too_many_or_too_fast(app: Flask, client: FlaskClient, live: Live) -> None:
    _set(app, live, expected_attendance=10)
    panel = f"/f/c/{live.consultation_id}/w/{live.workshop_id}/console/panel"
    assert 'id="console-join-alarm"' not in client.get(panel).get_data(as_text=True)
    _burst(app, live, 30, datetime.now(UTC) - timedelta(minutes=5))
    page = client.get(panel).get_data(as_text=True)
    assert 'id="console-join-alarm"' in page
    assert "More phones joined than the 10 you expected." in page
    assert "30 phones joined within 10 seconds" in page
    assert 'id="void-link"' in page


def test_voiding_a_burst_takes_its_answers_out_of_every_count_and_keeps_the_reason(
    app: Flask, client: FlaskClient, live: Live, factory: Factory
) -> None:
    honest = [factory.phone(live)[1] for _ in range(2)]
    position = factory.goto(live, prompt_type="position")
    for sock in honest:
        assert answer(sock, position, {"position": "consent"})["ok"]
    burst_at = datetime.now(UTC) + timedelta(seconds=30)
    _burst(app, live, 12, burst_at)
    with app.app_context():
        step_id = db.session.scalar(select(Workshop).where(Workshop.id == live.workshop_id)).steps[position].id
        for person in db.session.scalars(
            select(Participant).where(Participant.created_at >= burst_at - timedelta(seconds=1))
        ):
            db.session.add(
                Response(
                    participant_id=person.id,
                    step_id=step_id,
                    workshop_id=live.workshop_id,
                    client_id=f"stuffed-{person.id}",
                    key="object",
                    value={"position": "object"},
                )
            )
        db.session.commit()
    local = burst_at.astimezone()
    start, end = local.strftime("%H:%M:%S"), (local + timedelta(seconds=3)).strftime("%H:%M:%S")
    url = f"/f/c/{live.consultation_id}/w/{live.workshop_id}/room/void"
    no_reason = client.post(url, data={"start": start, "end": end, "reason": "  "})
    assert no_reason.status_code == 400
    check = client.post(url, data={"start": start, "end": end, "reason": "12 joins in 2 seconds from one table"})
    assert check.status_code == 200 and "12 phones joined in that time" in check.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Response)) == 14  # nothing removed yet
    done = client.post(
        url, data={"start": start, "end": end, "reason": "12 joins in 2 seconds from one table", "confirm": "yes"}
    )
    assert done.status_code == 302
    with app.app_context():
        assert room.phone_joins(db.session, live.workshop_id) == 2
        assert db.session.scalar(select(db.func.count()).select_from(Response)) == 2
        event = db.session.scalar(select(ControlEvent).where(ControlEvent.action == "void"))
        assert event.detail["count"] == 12 and event.detail["reason"] == "12 joins in 2 seconds from one table"
    data = _record(app, live)
    workshop = data["workshops"][0]
    assert workshop["voided"] == [{"count": 12, "reason": "12 joins in 2 seconds from one table"}]
    assert workshop["protection"] == "open"
    assert data["participation"]["joined"]["display"] == "fewer than 5"  # the 12 are in no count


def test_the_record_says_how_each_workshop_was_protected(app: Flask, client: FlaskClient, live: Live) -> None:
    _set(app, live, protection="presence", expected_attendance=6, join_cap=8)
    number = _code_at(app, live, datetime.now(UTC))
    for _ in range(6):
        assert _join(app.test_client(), live.code, pc=number).status_code == 302
    data = _record(app, live)
    workshop = data["workshops"][0]
    assert (workshop["protection"], workshop["expected"], workshop["join_cap"], workshop["joined"]) == (
        "presence",
        6,
        8,
        "6",
    )
    report = client.get(f"/f/c/{live.consultation_id}/record/report").get_data(as_text=True)
    assert 'id="protection-table"' in report
    assert "A number on the big screen that changed every minute" in report


@pytest.mark.parametrize(
    ("expected", "cap"),
    [(None, None), (30, None), (30, 40)],
)
def test_joining_settings_are_saved_from_the_console(
    app: Flask, client: FlaskClient, live: Live, expected: int | None, cap: int | None
) -> None:
    form: dict[str, Any] = {"protection": "presence"}
    if expected:
        form["expected"] = expected
    if cap:
        form["cap"] = cap
    assert client.post(f"/f/c/{live.consultation_id}/w/{live.workshop_id}/room", data=form).status_code == 302
    with app.app_context():
        workshop = db.session.get(Workshop, live.workshop_id)
        assert workshop.protection == "presence"
        assert workshop.expected_attendance == expected
        assert workshop.join_cap == (cap or (pr.suggested_cap(expected) if expected else None))


def test_a_cap_below_the_expected_number_is_refused_plainly(app: Flask, client: FlaskClient, live: Live) -> None:
    response = client.post(
        f"/f/c/{live.consultation_id}/w/{live.workshop_id}/room",
        data={"protection": "open", "expected": 30, "cap": 10},
        follow_redirects=True,
    )
    assert "cannot be fewer than the number you expect" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Workshop, live.workshop_id).join_cap is None
