"""The record's pages: overview, report, downloads, finalising, and publishing "you said, we did"."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, url_for

from ...domain import export_render as er
from ...extensions import db
from ...models import utcnow
from ...services import NotFound, Refused
from ...services import records as rs
from ...services import register as rg
from ..auth import login_required
from ..rendering import FORMATS, export_files, report_context
from .blueprint import bp, consultation, packs
from .forms import FinaliseForm, PublishForm


@bp.get("/c/<int:consultation_id>/record")
@login_required
def record(consultation_id: int) -> Any:
    """The record's overview: key figures, downloads, and finalising."""
    item = consultation(consultation_id)
    built = rs.current_record(db.session, item, packs())
    return render_template(
        "exports/record.html",
        consultation=item,
        r=built,
        sha256=er.record_sha256(built),
        finalised_sha256=rs.finalised_sha256(db.session, item),
        form=FinaliseForm(),
        open_items=sum(1 for i in built["register"] if i["status"] == "open"),
    )


@bp.get("/c/<int:consultation_id>/record/report")
@login_required
def report(consultation_id: int) -> Any:
    """The consultation report as a web page: the same template as the PDF."""
    item = consultation(consultation_id)
    built = rs.current_record(db.session, item, packs())
    return render_template(
        "exports/report_page.html",
        consultation=item,
        **report_context(built, utcnow(), rs.finalised_sha256(db.session, item)),
    )


@bp.get("/c/<int:consultation_id>/record/download/<export_format>")
@login_required
def download(consultation_id: int, export_format: str) -> Any:
    """Download the record as JSON (zip), CSV tables (zip), a PDF, or the PDF with its manifest (zip)."""
    item = consultation(consultation_id)
    if export_format not in FORMATS:
        raise NotFound("format")
    built = rs.current_record(db.session, item, packs())
    data, name, mimetype, _manifest = export_files(
        built, export_format, finalised_sha=rs.finalised_sha256(db.session, item)
    )
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/c/<int:consultation_id>/record/finalise")
@login_required
def finalise(consultation_id: int) -> Any:
    """Finalise the record: withdrawals close and the record is kept as it is now."""
    item = consultation(consultation_id)
    form = FinaliseForm()
    if not form.validate_on_submit():
        flash("That did not work. Please try again.", "error")
    else:
        try:
            rs.finalise(db.session, item, packs())
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("The record is finalised. People can no longer take back their answers.")
    return redirect(url_for(".record", consultation_id=item.id))


@bp.route("/c/<int:consultation_id>/publish", methods=["GET", "POST"])
@login_required
def publish(consultation_id: int) -> Any:
    """Write and publish "you said, we did": the summary and the register's responses."""
    item = consultation(consultation_id)
    form = PublishForm()
    if not form.is_submitted():
        form.summary.data = item.published_summary
    error = None
    if form.validate_on_submit():
        try:
            rs.publish(db.session, item, form.summary.data or "", packs())
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(
                "Published. People with a receipt code can now read it"
                + (", and so can anyone with the public link." if item.public_outcome else ".")
            )
            return redirect(url_for(".publish", consultation_id=item.id))
    items = rg.register_items(db.session, item)
    return render_template(
        "exports/publish.html",
        consultation=item,
        form=form,
        error=error,
        items=items,
        outcome=rs.published_outcome(db.session, item),
        public_url=url_for("public.outcome", token=item.public_token, _external=True),
    ), 400 if (error or form.errors) else 200
