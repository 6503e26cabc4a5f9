"""Pages for participants' phones: join, consent, role, and answering.

Everything here works as plain HTML forms with JavaScript off; with JavaScript on, the same
page answers over Socket.IO and follows the room live. No name, email or IP address is
asked for or kept: a participant is a random token in the signed session cookie.
"""

from __future__ import annotations

import functools
import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..models import Participant, Workshop
from ..services import NotFound, Refused, room
from ..services import live as live_view
from ..services import participation as ps
from ..services.workshops import get_step
from ..shutdown import drain_of
from . import ratelimit
from .forms import CodeForm, ConsentForm, ReceiptForm, RoleForm, payload_from_form
from .validation import safe_target

bp = Blueprint("participant", __name__)


def _current(code: str, *, allow_ended: bool = False) -> tuple[Workshop, Participant | None]:
    """The workshop behind a code, and this browser's participant in it (None if not joined).

    A browser with a place in the workshop is never counted as guessing (its receipt, or an
    ended workshop). Anyone else's code goes through the join-code limit.
    """
    own = ps.find_own_workshop(db.session, code, (session.get("p") or {}).values())
    if own is not None:
        if own[0].status == "ended" and not allow_ended:
            raise NotFound("code")
        return own
    return _look_up(code), None


def _look_up(code: str) -> Workshop:
    """Find an open workshop by its code, counting a wrong code against this client's limit."""
    wait = ratelimit.join_wait(code)
    if wait:
        ratelimit.refuse(wait)
    try:
        workshop = ps.find_workshop(db.session, code)
    except NotFound:
        ratelimit.wrong_join_code(code)
        raise
    ratelimit.right_join_code(code)
    return workshop


def _remember(workshop: Workshop, participant: Participant, receipt: str) -> None:
    tokens = dict(session.get("p") or {})
    receipts = dict(session.get("r") or {})
    tokens[str(workshop.id)] = participant.token
    receipts[str(workshop.id)] = receipt
    session["p"], session["r"] = tokens, receipts
    session.permanent = True


@bp.app_template_global()
def person_key(workshop_id: int) -> str:
    """A name for this participant's answers kept on the phone: a hash, never the token itself.

    The phone keeps answers waiting to be sent (and the ones it sent) in its own storage; a
    shared tablet or a phone used again after taking answers back must never show one
    person's answers to the next, so the storage is per participant, not per workshop.
    """
    token = (session.get("p") or {}).get(str(workshop_id))
    return hashlib.sha256(f"{workshop_id}:{token}".encode()).hexdigest()[:16] if token else ""


@bp.route("/", methods=["GET", "POST"])
def home() -> Any:
    """The start page: type the code shown on the big screen."""
    form = CodeForm()
    if form.validate_on_submit():
        try:
            workshop = _look_up(form.code.data or "")
        except NotFound:
            form.code.errors = [
                "We could not find a workshop with that code. Check the code on the big screen and try again."
            ]
        else:
            return redirect(url_for(".join", code=workshop.join_code))
    return render_template("participant/home.html", form=form), 400 if form.errors else 200


@bp.route("/j/<code>", methods=["GET", "POST"])
def join(code: str) -> Any:
    """The welcome page: what this is, that it is anonymous, and 'I'm happy to take part'.

    A live room asks for the presence code on the big screen (the QR code fills it in); a
    self-paced round asks for an invitation code. Past the join cap the phone waits on a
    "the room is full" page, which tries again by itself.
    """
    try:
        workshop, participant = _current(code)
    except NotFound:
        return render_template("participant/no_workshop.html", code=code[:20]), 404
    if participant is not None:
        return redirect(url_for(".live", code=workshop.join_code))
    form = ConsentForm()
    tablet = session.get("tablet") == workshop.id
    typed_presence = (request.values.get("pc") or "")[:20]
    typed_invitation = (request.values.get("inv") or "")[:30]
    error = field = None
    if form.validate_on_submit():
        try:
            _join_now(workshop, tablet, typed_presence, typed_invitation)
        except room.RoomFull:
            db.session.rollback()
            _prove_presence(workshop)  # waiting for room must not need a fresh code
            return render_template("participant/room_full.html", workshop=workshop, form=form), 503
        except (room.NeedsPresence, room.NeedsInvitation) as exc:
            db.session.rollback()
            field = "presence" if isinstance(exc, room.NeedsPresence) else "invitation"
            typed = typed_presence if field == "presence" else typed_invitation
            if typed:
                ratelimit.wrong_code_guessed(field)
            if field == "presence":
                error = (
                    _("That number is not the one on the big screen. It changes every minute: please type the new one.")
                    if typed
                    else _("Please type the number shown on the big screen.")
                )
            else:
                error = (
                    _("That invitation code does not work. Check it, or ask for a new card. Each code works once.")
                    if typed
                    else _("Please type the invitation code from your card.")
                )
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            return redirect(url_for(".role", code=workshop.join_code))
    return render_template(
        "participant/welcome.html",
        workshop=workshop,
        consultation=workshop.consultation,
        form=form,
        error=error,
        field=field,
        ask=None if tablet else workshop.protection,
        presence=typed_presence,
        invitation=typed_invitation,
    ), 400 if error else 200


def _join_now(workshop: Workshop, tablet: bool, typed_presence: str, typed_invitation: str) -> None:
    """Check the gate, join, commit and remember the participant (raises ``Refused`` and kin)."""
    for rule, typed in (("presence", typed_presence), ("invitation", typed_invitation)):
        if typed and ratelimit.code_guess_blocked(rule):
            ratelimit.refuse()
    proven = _presence_was_proven(workshop) or room.presence_checked(workshop, typed_presence)
    room.admit(db.session, workshop, presence_proven=proven, invitation=typed_invitation, exempt=tablet)
    participant, receipt = ps.join(db.session, workshop, language=session.get("lang", "en"), assisted=tablet)
    db.session.commit()
    ratelimit.joined_here()
    current_app.extensions["cg_publisher"].mark(workshop.id)  # the live "joined" counts
    _remember(workshop, participant, receipt)
    proofs = dict(session.get("pp") or {})
    if proofs.pop(str(workshop.id), None) is not None:
        session["pp"] = proofs


# A right presence code lets a phone wait for room this long without typing a new one.
PRESENCE_PROOF_SECONDS = 30 * 60


def _prove_presence(workshop: Workshop) -> None:
    typed = request.values.get("pc") or ""
    if workshop.protection == "presence" and (_presence_was_proven(workshop) or room.presence_checked(workshop, typed)):
        proofs = dict(session.get("pp") or {})
        proofs.setdefault(str(workshop.id), int(time.time()))
        session["pp"] = proofs


def _presence_was_proven(workshop: Workshop) -> bool:
    at = (session.get("pp") or {}).get(str(workshop.id))
    return isinstance(at, int) and 0 <= time.time() - at <= PRESENCE_PROOF_SECONDS


@bp.get("/j/<code>/room")
def room_state(code: str) -> Any:
    """Tell a phone waiting on the "room is full" page whether there is room now (nothing else)."""
    try:
        workshop, _participant = _current(code)
    except NotFound:
        return jsonify({"open": False, "ended": True}), 404
    return jsonify({"open": workshop.joining_open and not room.room_full(db.session, workshop), "ended": False})


@bp.route("/tablet", methods=["GET", "POST"])
def tablet() -> Any:
    """Enrol this browser as a shared tablet with the one-time code shown on the console."""
    form = ConsentForm()  # CSRF only
    error = None
    if form.validate_on_submit():
        if ratelimit.code_guess_blocked("tablet"):
            ratelimit.refuse()
        try:
            workshop = room.use_tablet_code(db.session, request.form.get("code"))
        except NotFound:
            db.session.rollback()
            ratelimit.wrong_code_guessed("tablet")
            error = _(
                "That tablet code does not work. Each code works once, for 10 minutes. Ask for a new one on the console."
            )
        else:
            db.session.commit()
            session["tablet"] = workshop.id
            session.permanent = True
            return redirect(url_for(".join", code=workshop.join_code))
    elif form.is_submitted():
        error = _("This page had expired. Please try again.")
    return render_template("participant/tablet.html", form=form, error=error), 400 if error else 200


def joined(view: Callable[..., Any], *, allow_ended: bool = False) -> Callable[..., Any]:
    """Give a view the workshop and this browser's participant, or send the browser to join first."""

    @functools.wraps(view)
    def wrapped(code: str) -> Any:
        try:
            workshop, participant = _current(code, allow_ended=allow_ended)
        except NotFound:
            return render_template("participant/no_workshop.html", code=code[:20]), 404
        if participant is None:
            return redirect(url_for(".join", code=workshop.join_code))
        return view(workshop, participant)

    return wrapped


@bp.route("/w/<code>/role", methods=["GET", "POST"])
@joined
def role(workshop: Workshop, participant: Participant) -> Any:
    """Ask, optionally, which group the participant belongs to; then show their receipt code."""
    form = RoleForm()
    form.role.choices = [SelectChoice(r, r) for r in workshop.roles]
    if form.validate_on_submit():
        try:
            ps.set_role(db.session, workshop, participant, form.role.data or None)
        except Refused as exc:
            db.session.rollback()
            form.role.errors = [str(exc)]
        else:
            db.session.commit()
            current_app.extensions["cg_publisher"].mark(workshop.id)  # the console's role counts
            return redirect(url_for(".receipt", code=workshop.join_code, first=1))
    if not form.is_submitted():
        form.role.data = participant.role
    return render_template("participant/role.html", workshop=workshop, form=form), 400 if form.errors else 200


@bp.get("/w/<code>/receipt")
@functools.partial(joined, allow_ended=True)
def receipt(workshop: Workshop, _participant: Participant) -> Any:
    """Show the receipt code, which lets the participant withdraw or see the outcome later."""
    return render_template(
        "participant/receipt.html",
        workshop=workshop,
        receipt=(session.get("r") or {}).get(str(workshop.id)),
        first=request.args.get("first"),
    )


@bp.get("/w/<code>")
@joined
def live(workshop: Workshop, participant: Participant) -> Any:
    """The participant's live page: the current step, and a form to answer it."""
    step = get_step(db.session, workshop.id, workshop.current_step)
    answer = ps.my_answer(db.session, participant, step) if step is not None and step.kind == "prompt" else None
    texts = ps.my_texts(db.session, answer) if answer is not None else []
    return render_template(
        "participant/live.html",
        workshop=workshop,
        step=step,
        answer=answer,
        texts=texts,
        language=session.get("lang", "en"),
        client_id=uuid.uuid4().hex,
        saved=request.args.get("saved"),
    )


@bp.post("/w/<code>/answer")
@joined
def answer(workshop: Workshop, participant: Participant) -> Any:
    """Save an answer sent as a plain form (JavaScript off); the socket path uses the same service."""
    form = ConsentForm()  # CSRF check only
    step_raw = request.form.get("step", "")
    step = get_step(db.session, workshop.id, int(step_raw)) if step_raw.isdigit() else None
    error = None
    if not form.validate_on_submit():
        error = "This page had expired. Please answer again."
    elif drain_of(current_app).closing:
        error = _("The server is restarting. Please send your answer again in a moment.")
    elif not ratelimit.answer_allowed(participant.id):
        error = ratelimit.MESSAGE
    else:
        try:
            result = ps.submit_answer(
                db.session,
                workshop,
                participant,
                step,
                request.form.get("client_id"),
                payload_from_form(request.form),
                current_app_screener(),
            )
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            current_app.extensions["cg_publisher"].mark(workshop.id)
            if result.held_for_safeguarding:
                return redirect(url_for(".support", code=workshop.join_code))
            if result.redacted:
                flash(_("We hid some personal details in what you wrote, to keep people safe."), "redacted")
            return redirect(url_for(".live", code=workshop.join_code, saved=1) + "#status")
    current = get_step(db.session, workshop.id, workshop.current_step)
    return render_template(
        "participant/live.html",
        workshop=workshop,
        step=current,
        answer=None,
        texts=[],
        language=session.get("lang", "en"),
        client_id=uuid.uuid4().hex,
        error=error,
        posted=request.form,
    ), 400


def current_app_screener() -> ps.Screener:
    return current_app.extensions["cg_screener"]  # type: ignore[no-any-return]


@bp.get("/w/<code>/support")
@joined
def support(workshop: Workshop, _participant: Participant) -> Any:
    """A kind message after a comment that may be about harm: it was not shown, and where to get help."""
    message = current_app.extensions["cg_library"].safeguarding.get("participant_message", "")
    return render_template("participant/support.html", workshop=workshop, message=message)


@bp.get("/easy-read/<setting>")
def easy_read(setting: str) -> Any:
    """Turn easy read on or off: shorter words and a picture for each answer."""
    session["easy"] = setting == "on"
    return redirect(safe_target(request.args.get("next")))


@bp.get("/glossary")
def glossary() -> Any:
    """Plain meanings of the computer words the cards use."""
    return render_template("participant/glossary.html", terms=current_app.extensions["cg_library"].glossary)


@bp.get("/language/<lang>")
def language(lang: str) -> Any:
    """Switch the participant pages' language (English or Welsh)."""
    if lang in ("en", "cy"):
        session["lang"] = lang
    return redirect(safe_target(request.args.get("next")))


@bp.route("/receipt", methods=["GET", "POST"])
def outcome() -> Any:
    """With a receipt code: see what the team did, or take back everything you said."""
    form = ReceiptForm()
    found = None
    error = None
    if form.validate_on_submit():
        if ratelimit.code_guess_blocked("receipt"):
            ratelimit.refuse()
        found = ps.find_by_receipt(db.session, form.receipt.data or "")
        if found is None:
            ratelimit.wrong_code_guessed("receipt")
            error = "We could not find that receipt code. Check it and try again. If you took your answers back already, the code no longer works."
    elif form.is_submitted():
        error = "Please enter your receipt code."
    if found is None:
        return render_template(
            "participant/outcome.html", form=form, error=error, participant=None
        ), 400 if error else 200
    workshop = db.session.get(Workshop, found.workshop_id)
    consultation = workshop.consultation if workshop else None
    if request.form.get("withdraw") == "confirm":
        try:
            ps.withdraw(db.session, found)
        except Refused as exc:
            db.session.rollback()
            return render_template(
                "participant/outcome.html", form=form, error=str(exc), participant=found, consultation=consultation
            ), 400
        db.session.commit()
        forget: dict[str, object] = {}
        if workshop is not None:
            # Named before the token goes: the withdrawn page clears what this phone kept.
            forget = {"workshop": workshop.id, "person": person_key(workshop.id)}
            current_app.extensions["cg_publisher"].mark(workshop.id)
            tokens = dict(session.get("p") or {})
            receipts = dict(session.get("r") or {})
            tokens.pop(str(workshop.id), None)
            receipts.pop(str(workshop.id), None)
            session["p"], session["r"] = tokens, receipts
        return render_template("participant/withdrawn.html", forget=forget)
    return render_template(
        "participant/outcome.html",
        form=form,
        participant=found,
        consultation=consultation,
        confirm=request.form.get("withdraw") == "ask",
        error=None,
    )


@bp.route("/w/<code>/comments", methods=["GET", "POST"])
@joined
def comments(workshop: Workshop, participant: Participant) -> Any:
    """What others said on this step (approved only), with a "me too" button on each.

    The "me too" counts are shown only once at least k people have answered the step.
    """
    step = get_step(db.session, workshop.id, workshop.current_step)
    form = ConsentForm()  # CSRF only
    error = None
    if request.method == "POST":
        raw = request.form.get("comment", "")
        try:
            if not form.validate_on_submit():
                raise Refused("This page had expired. Please try again.")
            ps.me_too(db.session, workshop, participant, int(raw) if raw.isdigit() else None)
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            return redirect(url_for(".comments", code=workshop.join_code))
    k = workshop.consultation.k_threshold
    # "Me too" counts are a tally of this question: none while fewer than k have answered it.
    released = live_view.public_tally(db.session, step, k) if step is not None and step.kind == "prompt" else None
    items = [
        (comment, released.count(n) if released is not None else None)
        for comment, n in (ps.approved_comments(db.session, workshop, step) if step is not None else [])
    ]
    return render_template(
        "participant/comments.html",
        workshop=workshop,
        step=step,
        items=items,
        k=k,
        counts_hidden=released is None or released.hidden,
        error=error,
        mine=ps.my_me_toos(db.session, participant),
        me=participant.id,
    ), 400 if error else 200


@bp.post("/w/<code>/next-person")
@joined
def next_person(workshop: Workshop, _participant: Participant) -> Any:
    """On a shared tablet: forget this person on this device and start again for the next one."""
    if ConsentForm().validate_on_submit():
        for key in ("p", "r"):
            kept = dict(session.get(key) or {})
            kept.pop(str(workshop.id), None)
            session[key] = kept
        flash(_("Thank you. Please pass the tablet to the next person."))
    return redirect(url_for(".join", code=workshop.join_code))
