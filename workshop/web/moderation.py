"""The facilitator's moderation queue and safeguarding alerts, and the retention command.

Every route is behind login and finds the workshop through the facilitator's own
consultations, so anyone else gets 404. Decisions are plain POST forms with CSRF; after
each one the console hears a ``moderation`` event so its count updates. The decisions
themselves are ``services.moderation`` functions, shared with anything else that moderates.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..domain.vocabulary import HIDE_REASONS, TEXT_MAX
from ..extensions import db, socketio
from ..models import Workshop
from ..realtime import console_room
from ..services import Refused, retention
from ..services import consultations as cs
from ..services import moderation as ms
from ..services import workshops as ws
from ..services.live import queue_counts
from .auth import login_required

bp = Blueprint("moderation", __name__, url_prefix="/f")


class DecisionForm(FlaskForm):
    """Approve a comment, or acknowledge an alert: CSRF only."""


class HideForm(FlaskForm):
    # Checked against HIDE_REASONS by the service, which refuses anything else.
    reason = StringField(
        "Why are you hiding it?", validators=[InputRequired("Choose why you are hiding this comment."), Length(max=20)]
    )


class EditForm(FlaskForm):
    text = TextAreaField(
        "The comment", validators=[InputRequired("There would be nothing left."), Length(max=TEXT_MAX * 2)]
    )
    show = HiddenField(validators=[Optional()])


def _workshop(consultation_id: int, workshop_id: int) -> tuple[Any, Workshop]:
    consultation = cs.get_consultation(db.session, g.facilitator.id, consultation_id)
    return consultation, ws.get_workshop(db.session, consultation, workshop_id)


def _back(workshop: Workshop, anchor: str = "") -> Any:
    url = url_for(".queue", consultation_id=workshop.consultation_id, workshop_id=workshop.id)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def announce(workshop_id: int) -> None:
    """Tell the workshop's console the queue changed, and refresh its aggregate."""
    socketio.emit("moderation", queue_counts(db.session, workshop_id), to=console_room(workshop_id))
    current_app.extensions["cg_publisher"].mark(workshop_id)


def category_label(key: str) -> str:
    """A safeguarding category's label from the library, or the key made readable."""
    categories = current_app.extensions["cg_library"].safeguarding.get("categories")
    if isinstance(categories, dict):
        entry = categories.get(key)
        if isinstance(entry, str):
            return entry
        if isinstance(entry, dict) and isinstance(entry.get("label"), str):
            return str(entry["label"])
    if isinstance(categories, list):
        for entry in categories:
            if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
                continue
            if key in (entry.get("id"), entry.get("key"), entry.get("category")):
                return str(entry["label"])
    return key.replace("_", " ").replace("-", " ").capitalize()


@bp.get("/c/<int:consultation_id>/w/<int:workshop_id>/moderation")
@login_required
def queue(consultation_id: int, workshop_id: int) -> Any:
    """Safeguarding alerts first, then comments waiting to be checked, then those already decided."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    guidance = current_app.extensions["cg_library"].safeguarding.get("guidance", "")
    return render_template(
        "moderation/queue.html",
        consultation=consultation,
        workshop=workshop,
        queue=ms.queue(db.session, workshop),
        alerts=ms.alerts(db.session, workshop),
        acknowledged=len(ms.alerts(db.session, workshop, include_acknowledged=True)),
        guidance=guidance if isinstance(guidance, str) else "",
        category_label=category_label,
        hide_reasons=HIDE_REASONS,
        form=DecisionForm(),
        hide_form=HideForm(),
    )


@bp.post("/c/<int:consultation_id>/w/<int:workshop_id>/moderation/<int:comment_id>/approve")
@login_required
def approve(consultation_id: int, workshop_id: int, comment_id: int) -> Any:
    """Let a comment be shown on the big screen and on other phones."""
    _consultation, workshop = _workshop(consultation_id, workshop_id)
    comment = ms.get_comment(db.session, workshop, comment_id)
    if not DecisionForm().validate_on_submit():
        flash("That did not work. Please try again.", "error")
        return _back(workshop)
    try:
        changed = ms.approve(db.session, workshop, comment)
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(workshop)
    db.session.commit()
    if changed:
        announce(workshop.id)
        flash("The comment can now be shown.")
    return _back(workshop, "pending")


@bp.post("/c/<int:consultation_id>/w/<int:workshop_id>/moderation/<int:comment_id>/hide")
@login_required
def hide(consultation_id: int, workshop_id: int, comment_id: int) -> Any:
    """Hide a comment, with a reason (kept as a count in the record, never the text)."""
    _consultation, workshop = _workshop(consultation_id, workshop_id)
    comment = ms.get_comment(db.session, workshop, comment_id)
    form = HideForm()
    if not form.validate_on_submit() or form.reason.data not in HIDE_REASONS:
        flash("Choose why you are hiding this comment, then press Hide.", "error")
        return _back(workshop, f"comment-{comment.id}")
    try:
        changed = ms.hide(db.session, workshop, comment, form.reason.data or "")
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(workshop)
    db.session.commit()
    if changed:
        announce(workshop.id)
        flash("The comment is hidden. Nobody else will see it.")
    return _back(workshop, "pending")


@bp.route("/c/<int:consultation_id>/w/<int:workshop_id>/moderation/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(consultation_id: int, workshop_id: int, comment_id: int) -> Any:
    """Hide some words of a comment by hand. Words can be taken out, never added."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    comment = ms.get_comment(db.session, workshop, comment_id)
    if comment.safeguarding:
        flash("This comment may be about someone being harmed, so it cannot be edited or shown.", "error")
        return _back(workshop, "alerts")
    form = EditForm()
    error = None
    if form.validate_on_submit():
        try:
            ms.redact_by_hand(db.session, workshop, comment, form.text.data or "", approve_after=form.show.data == "1")
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            announce(workshop.id)
            flash("Your change is saved." + (" The comment can now be shown." if form.show.data == "1" else ""))
            return _back(workshop, "pending")
    elif form.is_submitted():
        error = "; ".join(e for errs in form.errors.values() for e in errs) or "That did not work. Please try again."
    if not form.is_submitted():
        form.text.data = comment.text
    return render_template(
        "moderation/edit.html",
        consultation=consultation,
        workshop=workshop,
        comment=ms.queue_item(db.session, comment),
        form=form,
        error=error,
    ), 400 if error else 200


@bp.post("/c/<int:consultation_id>/w/<int:workshop_id>/alerts/<int:alert_id>/acknowledge")
@login_required
def acknowledge(consultation_id: int, workshop_id: int, alert_id: int) -> Any:
    """Mark a safeguarding alert as dealt with (the comment stays hidden for good)."""
    _consultation, workshop = _workshop(consultation_id, workshop_id)
    if not DecisionForm().validate_on_submit():
        flash("That did not work. Please try again.", "error")
        return _back(workshop, "alerts")
    if ms.acknowledge(db.session, workshop, alert_id):
        db.session.commit()
        announce(workshop.id)
        flash("Thank you. The alert is marked as dealt with. The comment stays hidden.")
    return _back(workshop, "alerts")


# ---------------------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------------------


def register_cli(app: Flask) -> None:
    """Add the retention command (purge) to ``flask --app workshop``."""

    @app.cli.command("purge")
    @click.option("--dry-run", is_flag=True, help="Say what would be deleted, and delete nothing.")
    def purge(dry_run: bool) -> None:
        """Delete raw answers and comments whose retention period has passed.

        For each such consultation the aggregated record is stored first; then participants,
        answers, comments and "me too"s are deleted. The record, the workshops, the logs and
        the conditions register are kept.
        """
        now = datetime.now(UTC)
        packs = current_app.extensions["cg_library"].packs
        reports = retention.purge_due(db.session, now=now, dry_run=dry_run, packs=packs)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        if not reports:
            click.echo("Nothing to purge: no consultation is past its retention period.")
            return
        for report in reports:
            verb = "Would delete" if dry_run else "Deleted"
            tables = [m.__tablename__ for m in retention.RAW_TABLES]
            gone = {t: report.before[t] - (0 if dry_run else report.after[t]) for t in tables}
            detail = ", ".join(f"{n} {table}" for table, n in gone.items() if n) or "no raw rows"
            click.echo(f"Consultation {report.consultation_id} (due {report.due_at:%Y-%m-%d}): {verb} {detail}.")
        if not dry_run:
            click.echo(f"Stored the record for each before deleting. {len(reports)} consultation(s) purged.")
