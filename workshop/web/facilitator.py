"""The facilitator's workspace: consultations, use cases, workshops and the live console.

Every route is behind login, and every object is looked up through the facilitator's own
consultations, so another facilitator's things answer 404, never 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from ..domain.packs import CARD_FIELDS
from ..domain.vocabulary import DEFAULT_ROLES
from ..extensions import db
from ..library import Library
from ..qr import qr_svg
from ..services import Refused, live, room
from ..services import consultations as cs
from ..services import workshops as ws
from .auth import login_required
from .control import run_control
from .forms import (
    ArchiveForm,
    ConsultationForm,
    ControlForm,
    CopyCardForm,
    LogoutForm,
    MemberForm,
    RaiseCapForm,
    RoomForm,
    UseCaseForm,
    WorkshopForm,
    WorkshopSettingsForm,
)
from .links import join_url, projector_url

bp = Blueprint("facilitator", __name__, url_prefix="/f")


def library() -> Library:
    return current_app.extensions["cg_library"]  # type: ignore[no-any-return]


@bp.app_context_processor
def _forms() -> dict[str, Any]:
    # formdata=None: rendering must never read the request body (a 413 page would fail on it).
    return {"logout_form": LogoutForm(formdata=None), "join_url": join_url, "projector_url": projector_url}


def _consultation(consultation_id: int) -> Any:
    return cs.get_consultation(db.session, g.facilitator.id, consultation_id)


@bp.get("/")
@login_required
def index() -> Any:
    archived = request.args.get("archived") == "1"
    items = cs.list_consultations(db.session, g.facilitator.id, archived=archived)
    return render_template("facilitator/index.html", consultations=items, archived=archived)


@bp.route("/consultations/new", methods=["GET", "POST"])
@login_required
def new_consultation() -> Any:
    form = ConsultationForm()
    if not form.is_submitted():
        form.k_threshold.data = current_app.config["SMALL_GROUP_K"]
        form.retention_days.data = current_app.config["RETENTION_DAYS"]
    if form.validate_on_submit():
        consultation = cs.create_consultation(
            db.session,
            g.facilitator,
            title=form.title.data or "",
            description=form.description.data or "",
            organisation=form.organisation.data or "",
            k_threshold=form.k_threshold.data or 5,
            retention_days=form.retention_days.data or 365,
        )
        consultation.public_outcome = bool(form.public_outcome.data)
        consultation.keep_comments_after_retention = bool(form.keep_comments_after_retention.data)
        db.session.commit()
        flash("Consultation created. Now add the use cases you want to ask about.")
        return redirect(url_for(".consultation", consultation_id=consultation.id))
    return render_template(
        "facilitator/consultation_form.html", form=form, consultation=None
    ), 400 if form.errors else 200


@bp.get("/c/<int:consultation_id>")
@login_required
def consultation(consultation_id: int) -> Any:
    item = _consultation(consultation_id)
    return render_template(
        "facilitator/consultation.html",
        consultation=item,
        use_cases=cs.active_use_cases(item),
        workshops=ws.list_workshops(db.session, item),
        members=cs.members(db.session, item),
        member_form=MemberForm(),
        archive_form=ArchiveForm(),
    )


@bp.route("/c/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_consultation(consultation_id: int) -> Any:
    item = _consultation(consultation_id)
    form = ConsultationForm(obj=item)
    if form.validate_on_submit():
        try:
            cs.update_consultation(
                db.session,
                item,
                title=form.title.data,
                description=form.description.data,
                organisation=form.organisation.data,
                k_threshold=form.k_threshold.data,
                retention_days=form.retention_days.data,
                public_outcome=bool(form.public_outcome.data),
                keep_comments_after_retention=bool(form.keep_comments_after_retention.data),
            )
        except Refused as exc:
            db.session.rollback()
            form.keep_comments_after_retention.errors = [str(exc)]
        else:
            db.session.commit()
            flash("Changes saved.")
            return redirect(url_for(".consultation", consultation_id=item.id))
    return render_template(
        "facilitator/consultation_form.html", form=form, consultation=item
    ), 400 if form.errors else 200


@bp.post("/c/<int:consultation_id>/archive")
@login_required
def archive_consultation(consultation_id: int) -> Any:
    item = _consultation(consultation_id)
    form = ArchiveForm()
    if form.validate_on_submit():
        archived = form.archived.data == "1"
        cs.set_archived(db.session, item, archived)
        db.session.commit()
        flash("Consultation archived." if archived else "Consultation brought back from the archive.")
    return redirect(url_for(".consultation", consultation_id=item.id))


@bp.post("/c/<int:consultation_id>/members")
@login_required
def add_member(consultation_id: int) -> Any:
    item = _consultation(consultation_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            other = cs.add_member(db.session, item, form.name.data or "", by=g.facilitator.id)
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"{other.name} can now see and run this consultation.")
    else:
        flash("Enter a facilitator's name.", "error")
    return redirect(url_for(".consultation", consultation_id=item.id))


@bp.route("/c/<int:consultation_id>/use-cases/new", methods=["GET", "POST"])
@bp.route("/c/<int:consultation_id>/use-cases/<int:use_case_id>/edit", methods=["GET", "POST"])
@login_required
def edit_use_case(consultation_id: int, use_case_id: int | None = None) -> Any:
    item = _consultation(consultation_id)
    use_case = cs.get_use_case(db.session, item, use_case_id) if use_case_id else None
    form = UseCaseForm(obj=use_case)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data or "" for name in CARD_FIELDS}
        cs.save_use_case(db.session, item, fields, use_case)
        db.session.commit()
        flash("Use case saved.")
        return redirect(url_for(".consultation", consultation_id=item.id))
    return render_template(
        "facilitator/use_case_form.html", form=form, consultation=item, use_case=use_case, card_fields=CARD_FIELDS
    ), 400 if form.errors else 200


@bp.post("/c/<int:consultation_id>/use-cases/<int:use_case_id>/archive")
@login_required
def archive_use_case(consultation_id: int, use_case_id: int) -> Any:
    item = _consultation(consultation_id)
    use_case = cs.get_use_case(db.session, item, use_case_id)
    form = ArchiveForm()
    if form.validate_on_submit():
        use_case.archived = form.archived.data == "1"
        db.session.commit()
        flash(
            "Use case archived. Workshops that used it keep their copy." if use_case.archived else "Use case restored."
        )
    return redirect(url_for(".consultation", consultation_id=item.id))


@bp.route("/c/<int:consultation_id>/library", methods=["GET", "POST"])
@login_required
def card_library(consultation_id: int) -> Any:
    item = _consultation(consultation_id)
    form = CopyCardForm()
    if form.validate_on_submit():
        card = library().cards.get(form.card.data or "")
        if card is None:
            abort(404)
        use_case = cs.copy_card(db.session, item, card)
        db.session.commit()
        flash(f"Copied '{card.title}'. You can edit your copy now.")
        return redirect(url_for(".edit_use_case", consultation_id=item.id, use_case_id=use_case.id))
    copied = {u.library_id for u in cs.active_use_cases(item)}
    return render_template(
        "facilitator/library.html",
        consultation=item,
        cards=library().cards.values(),
        copied=copied,
        form=form,
        card_fields=CARD_FIELDS,
    )


def _lines(raw: str | None) -> list[str]:
    return [line.strip() for line in (raw or "").splitlines() if line.strip()]


@bp.route("/c/<int:consultation_id>/workshops/new", methods=["GET", "POST"])
@login_required
def new_workshop(consultation_id: int) -> Any:
    item = _consultation(consultation_id)
    use_cases = cs.active_use_cases(item)
    form = WorkshopForm()
    form.pack.choices = [SelectChoice(p.id, p.title) for p in library().packs.values()]
    form.use_cases.choices = [SelectChoice(u.id, u.title) for u in use_cases]
    if not form.is_submitted():
        form.pack.data = library().default_pack.id
        form.use_cases.data = [u.id for u in use_cases]
        form.roles.data = "\n".join(DEFAULT_ROLES)
    if form.validate_on_submit():
        chosen = [u for u in use_cases if u.id in (form.use_cases.data or [])]
        try:
            workshop = ws.create_workshop(
                db.session,
                item,
                library().packs[form.pack.data or ""],
                chosen,
                title=form.title.data or "",
                roles=_lines(form.roles.data) or list(DEFAULT_ROLES),
                moderation=None if form.moderation.data == "auto" else form.moderation.data,
                protection=form.protection.data or "presence",
            )
        except Refused as exc:
            db.session.rollback()
            form.use_cases.errors = [str(exc)]
        else:
            db.session.commit()
            flash("Workshop created. It is ready to run.")
            return redirect(url_for(".workshop", consultation_id=item.id, workshop_id=workshop.id))
    return render_template(
        "facilitator/workshop_form.html", form=form, consultation=item, packs=library().packs
    ), 400 if form.errors else 200


@bp.get("/c/<int:consultation_id>/w/<int:workshop_id>")
@login_required
def workshop(consultation_id: int, workshop_id: int) -> Any:
    item = _consultation(consultation_id)
    found = ws.get_workshop(db.session, item, workshop_id)
    form = WorkshopSettingsForm(obj=found)
    form.roles.data = "\n".join(found.roles)
    form.redaction_names.data = "\n".join(found.redaction_names)
    form.safeguarding_phrases.data = "\n".join(found.safeguarding_phrases)
    return render_template(
        "facilitator/workshop.html",
        consultation=item,
        workshop=found,
        form=form,
        qr=qr_svg(join_url(found)),
        pack=library().packs.get(found.pack_id),
        room_form=RoomForm(
            formdata=None, protection=found.protection, expected=found.expected_attendance, cap=found.join_cap
        ),
    )


@bp.post("/c/<int:consultation_id>/w/<int:workshop_id>/settings")
@login_required
def workshop_settings(consultation_id: int, workshop_id: int) -> Any:
    item = _consultation(consultation_id)
    found = ws.get_workshop(db.session, item, workshop_id)
    form = WorkshopSettingsForm()
    if form.validate_on_submit():
        ws.update_settings(
            db.session,
            found,
            title=form.title.data,
            roles=_lines(form.roles.data),
            moderation=form.moderation.data,
            redaction_names=_lines(form.redaction_names.data),
            safeguarding_phrases=_lines(form.safeguarding_phrases.data),
        )
        db.session.commit()
        flash("Workshop settings saved.")
    else:
        flash(
            "Those settings could not be saved: " + "; ".join(e for errs in form.errors.values() for e in errs), "error"
        )
    return redirect(url_for(".workshop", consultation_id=item.id, workshop_id=found.id))


def _console_context(consultation_id: int, workshop_id: int) -> dict[str, Any]:
    item = _consultation(consultation_id)
    found = ws.get_workshop(db.session, item, workshop_id)
    view = live.aggregate(db.session, found.id)
    step = found.steps[found.current_step] if found.steps else None
    # The console's role table as the live view holds it (it moves only in steps of k people).
    roles = view.console["roles"] if view else live.suppressed_roles({}, item.k_threshold)
    db.session.commit()  # keeps what the console now shows, if it changed
    return {
        "consultation": item,
        "workshop": found,
        "step": step,
        "view": view.console if view else {},
        "roles": roles,
        "form": ControlForm(),
        "qr": qr_svg(join_url(found)),
        "timer_left": ws.timer_remaining(found),
        "room": room.room_view(db.session, found, int(current_app.config["JOIN_BURST_LIMIT"])),
        "room_form": RoomForm(
            formdata=None, obj=None, protection=found.protection, expected=found.expected_attendance, cap=found.join_cap
        ),
        "raise_form": RaiseCapForm(formdata=None, by=5),
    }


@bp.get("/c/<int:consultation_id>/w/<int:workshop_id>/console")
@login_required
def console(consultation_id: int, workshop_id: int) -> Any:
    """The facilitator's live console for running a workshop from a laptop."""
    return render_template("facilitator/console.html", **_console_context(consultation_id, workshop_id))


@bp.get("/c/<int:consultation_id>/w/<int:workshop_id>/console/panel")
@login_required
def console_panel(consultation_id: int, workshop_id: int) -> Any:
    """The changing part of the console, fetched again by the page's script on every change."""
    return render_template("facilitator/_console_panel.html", **_console_context(consultation_id, workshop_id))


@bp.post("/c/<int:consultation_id>/w/<int:workshop_id>/control")
@login_required
def control(consultation_id: int, workshop_id: int) -> Any:
    """Apply a control from the console's plain form (the same service as the socket event)."""
    item = _consultation(consultation_id)
    found = ws.get_workshop(db.session, item, workshop_id)
    form = ControlForm()
    if form.validate_on_submit():
        argument: Any = form.argument.data or None
        if argument is not None:
            try:
                argument = int(argument)
            except ValueError:
                argument = None
        error = run_control(found, form.action.data or "", argument, g.facilitator.id)
        if error:
            flash(error, "error")
    else:
        flash("That did not work. Please try again.", "error")
    return redirect(url_for(".console", consultation_id=item.id, workshop_id=found.id))


@bp.get("/c/<int:consultation_id>/w/<int:workshop_id>/qr.svg")
@login_required
def workshop_qr(consultation_id: int, workshop_id: int) -> Any:
    item = _consultation(consultation_id)
    found = ws.get_workshop(db.session, item, workshop_id)
    return Response(qr_svg(join_url(found)), mimetype="image/svg+xml")
