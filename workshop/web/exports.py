"""Consent and concern records and their exports (JSON, CSV, PDF, HTML) for a consultation's facilitators.

One record, four renderings: the routes and the ``flask --app workshop export`` command build
the record once through ``services.records`` and render it with the pure
``domain.export_render`` (JSON, CSV, manifests) or one Jinja template (the HTML page and the
PDF, which is that template printed by WeasyPrint as a tagged PDF/UA-1 file). The
conditions register, finalising and publishing live here too; the "you said, we did" page
for the public is ``public_bp`` (``/o/<token>``), and the receipt page reads the same
published outcome through the ``published_outcome_for`` template global.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask import Blueprint, Flask, Response, current_app, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..config import ROOT
from ..domain import export_render as er
from ..domain.charts import bar_chart_svg
from ..domain.records import RECORD_VERSION
from ..domain.tally import OptionCount, Tally
from ..domain.vocabulary import LIFECYCLE, N_, OBJECTION_GROUNDS, POSITIONS, VALUES
from ..extensions import db
from ..models import Consultation, utcnow
from ..services import NotFound, Refused
from ..services import consultations as cs
from ..services import records as rs
from ..services import register as rg
from .auth import login_required

bp = Blueprint("exports", __name__, url_prefix="/f")
public_bp = Blueprint("public", __name__)

GENERATOR = f"Common Ground (record version {RECORD_VERSION})"
FORMATS = ("json", "csv", "pdf", "pdf-bundle")
# The report lists every number, but at most this many comments of each kind per use case
# (those with the most "me too" first); the JSON and CSV exports hold all of them.
REPORT_COMMENT_LIMIT = 20
REPORT_CSS = ROOT / "static" / "css" / "report.css"

PUBLIC_STATUS = {
    "open": N_("We are still working on this."),
    "agreed": N_("We have agreed to do this."),
    "done": N_("We have done this."),
    "declined": N_("We will not do this."),
}
PUBLIC_CLASS = {
    "act": N_("We can do this ourselves."),
    "influence": N_("Others need to act. We will push them to do it."),
    "monitor": N_("We will keep watch on this."),
}


# --------------------------------------------------------------------------- forms


class MultiIntField(SelectMultipleField):
    """A list of ids posted as repeated fields (checkboxes rendered by the template)."""

    def pre_validate(self, form: Any) -> None:  # choices are checked by the service
        pass


class FinaliseForm(FlaskForm):
    confirm = HiddenField(validators=[DataRequired()])


class PublishForm(FlaskForm):
    summary = TextAreaField(
        "What you heard, and what you will do",
        validators=[
            DataRequired("Write a summary before you publish."),
            Length(max=20000, message="Keep it under 20,000 characters."),
        ],
        description="Write for everyone who took part. Use short sentences and plain words.",
    )


class CandidatesForm(FlaskForm):
    comments = MultiIntField(coerce=int)
    action = HiddenField()
    item = SelectField("Add to this item", coerce=int, validate_choice=False, validators=[Optional()])
    text = StringField("Wording for the new item", validators=[Optional(), Length(max=2000)])


class ItemForm(FlaskForm):
    text = TextAreaField("Wording", validators=[DataRequired("Write the wording."), Length(max=2000)])
    kind = RadioField(
        "Type", choices=[SelectChoice(k, v) for k, v in rg.KINDS.items()], validators=[DataRequired("Choose a type.")]
    )
    classification = RadioField(
        "What kind of action",
        choices=[SelectChoice("", "Not decided yet"), *(SelectChoice(k, v) for k, v in rg.CLASSIFICATIONS.items())],
        validators=[Optional()],
        validate_choice=False,
    )
    owner = StringField("Who owns it", validators=[Optional(), Length(max=200)])
    response = TextAreaField("Your response", validators=[Optional(), Length(max=2000)])
    status = RadioField(
        "Status",
        choices=[SelectChoice(k, v) for k, v in rg.STATUSES.items()],
        validators=[DataRequired("Choose a status.")],
    )
    decline_reason = TextAreaField("Why it was declined", validators=[Optional(), Length(max=2000)])


class MergeForm(FlaskForm):
    other = SelectField(
        "Merge this item with", coerce=int, validate_choice=False, validators=[DataRequired("Choose an item to merge.")]
    )


class DeleteForm(FlaskForm):
    pass


# --------------------------------------------------------------------------- rendering


def _packs() -> Mapping[str, Any]:
    return current_app.extensions["cg_library"].packs  # type: ignore[no-any-return]


def _chart(question: Mapping[str, Any], chart_id: str) -> str:
    """Draw a question's overall counts (nothing when they are hidden)."""
    if question is None or question["hidden"] or not question["answered"]["count"]:
        return ""
    tally = Tally(
        question["answered"]["count"],
        tuple(OptionCount(o["key"], o["label"], o["count"] or 0) for o in question["options"]),
        question["multiple"],
        question["mean"],
    )
    title = question["asked"][0]["question"] if question["asked"] else question["key"]
    return bar_chart_svg(tally, title, chart_id=chart_id)


def _top(comments: list[Mapping[str, Any]], limit: int | None) -> tuple[list[Mapping[str, Any]], int]:
    """The comments to print, most supported first, and how many more there are."""
    ranked = sorted(comments, key=lambda c: (-c["me_too"], c["id"]))
    if limit is None or len(ranked) <= limit:
        return ranked, 0
    return ranked[:limit], len(ranked) - limit


def report_context(
    record: Mapping[str, Any],
    generated_at: datetime,
    finalised_sha: str | None,
    limit: int | None = REPORT_COMMENT_LIMIT,
) -> dict[str, Any]:
    return {
        "r": record,
        "sha256": er.record_sha256(record),
        "finalised_sha256": finalised_sha,
        "generated_at": generated_at.replace(microsecond=0).isoformat(),
        "chart": _chart,
        "top": _top,
        "limit": limit,
        "lifecycle": LIFECYCLE,
        "values_vocab": VALUES,
        "grounds_vocab": OBJECTION_GROUNDS,
        "positions_vocab": POSITIONS,
        "classifications": rg.CLASSIFICATIONS,
        "statuses": rg.STATUSES,
        "public_status": PUBLIC_STATUS,
        "public_class": PUBLIC_CLASS,
    }


def render_pdf(record: Mapping[str, Any], generated_at: datetime, finalised_sha: str | None) -> bytes:
    """Print the report as a tagged PDF (PDF/UA-1) with its own stylesheet."""
    from weasyprint import CSS, HTML

    # Rendered straight from the Jinja environment: the command line has no request to run context processors.
    template = current_app.jinja_env.get_template("exports/report_pdf.html")
    html = template.render(**report_context(record, generated_at, finalised_sha))
    pdf = HTML(string=html, base_url=str(ROOT / "static")).write_pdf(
        stylesheets=[CSS(filename=str(REPORT_CSS))], pdf_variant="pdf/ua-1"
    )
    assert pdf is not None
    return pdf


def _slug(consultation_id: int) -> str:
    return f"consultation-{consultation_id}"


def export_files(
    record: Mapping[str, Any], export_format: str, *, finalised_sha: str | None, generated_at: datetime | None = None
) -> tuple[bytes, str, str, dict[str, Any]]:
    """Render one export: (bytes, file name, MIME type, manifest)."""
    when = generated_at or utcnow()
    slug = _slug(record["consultation"]["id"])
    if export_format == "json":
        files = {"record.json": er.canonical_json(record)}
    elif export_format == "csv":
        files = er.csv_tables(record)
    elif export_format in ("pdf", "pdf-bundle"):
        files = {"report.pdf": render_pdf(record, when, finalised_sha)}
    else:
        raise ValueError(f"unknown export format {export_format!r}")
    manifest = er.build_manifest(
        record,
        files,
        export_format=export_format.split("-")[0],
        generated_at=when,
        generator=GENERATOR,
        finalised_sha256=finalised_sha,
    )
    if export_format == "pdf":
        return files["report.pdf"], f"{slug}-report.pdf", "application/pdf", manifest
    name = {"json": "record", "csv": "tables", "pdf-bundle": "report"}[export_format]
    return er.zip_bundle(files, manifest, when), f"{slug}-{name}.zip", "application/zip", manifest


# --------------------------------------------------------------------------- facilitator routes


def _consultation(consultation_id: int) -> Consultation:
    return cs.get_consultation(db.session, g.facilitator.id, consultation_id)


@bp.get("/c/<int:consultation_id>/record")
@login_required
def record(consultation_id: int) -> Any:
    """The record's overview: key figures, downloads, and finalising."""
    item = _consultation(consultation_id)
    built = rs.current_record(db.session, item, _packs())
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
    item = _consultation(consultation_id)
    built = rs.current_record(db.session, item, _packs())
    return render_template(
        "exports/report_page.html",
        consultation=item,
        **report_context(built, utcnow(), rs.finalised_sha256(db.session, item)),
    )


@bp.get("/c/<int:consultation_id>/record/download/<export_format>")
@login_required
def download(consultation_id: int, export_format: str) -> Any:
    """Download the record as JSON (zip), CSV tables (zip), a PDF, or the PDF with its manifest (zip)."""
    item = _consultation(consultation_id)
    if export_format not in FORMATS:
        raise NotFound("format")
    built = rs.current_record(db.session, item, _packs())
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
    item = _consultation(consultation_id)
    form = FinaliseForm()
    if not form.validate_on_submit():
        flash("That did not work. Please try again.", "error")
    else:
        try:
            rs.finalise(db.session, item, _packs())
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("The record is finalised. People can no longer take back their answers.")
    return redirect(url_for(".record", consultation_id=item.id))


@bp.get("/c/<int:consultation_id>/register")
@login_required
def register(consultation_id: int) -> Any:
    """The conditions register: merge comments into items, classify them and respond."""
    item = _consultation(consultation_id)
    return _register_page(item)


def _register_page(item: Consultation, status: int = 200, **forms: Any) -> Any:
    items = rg.register_items(db.session, item)
    sources = rg.item_sources(db.session, items)
    found = rg.candidates(db.session, item)
    by_id = {c.id: c for c in found}
    item_forms = {}
    for i in items:
        form = forms.get(f"item_{i.id}") or ItemForm(formdata=None, obj=i, prefix=f"i{i.id}")
        if form.classification.data is None:
            form.classification.data = ""
        item_forms[i.id] = form
    return render_template(
        "exports/register.html",
        consultation=item,
        items=items,
        sources=sources,
        candidates=found,
        by_id=by_id,
        item_forms=item_forms,
        support={i: sum(by_id[c].me_too for c in cids if c in by_id) for i, cids in sources.items()},
        candidates_form=forms.get("candidates") or CandidatesForm(formdata=None),
        merge_form=MergeForm(formdata=None),
        delete_form=DeleteForm(formdata=None),
        unmerged=[c for c in found if not c.items],
        use_case_titles={u.id: u.title for u in item.use_cases},
    ), status


@bp.post("/c/<int:consultation_id>/register/items")
@login_required
def register_add(consultation_id: int) -> Any:
    """Make a new register item from chosen comments, or add them to an existing item."""
    item = _consultation(consultation_id)
    form = CandidatesForm()
    if not form.validate_on_submit():
        flash("That did not work. Please try again.", "error")
        return redirect(url_for(".register", consultation_id=item.id))
    try:
        if form.action.data == "add":
            if not form.item.data:
                raise Refused("Choose the item to add the comments to.")
            target = rg.get_item(db.session, item, form.item.data)
            added = rg.add_sources(db.session, item, target, form.comments.data or [])
            message = f"Added {added} comment{'s' if added != 1 else ''} to item {target.id}."
        else:
            created = rg.create_item(db.session, item, form.comments.data or [], text=form.text.data or None)
            message = f"Item {created.id} added to the register."
    except (Refused, NotFound) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, Refused) else "That item does not exist.", "error")
    else:
        db.session.commit()
        flash(message)
    return redirect(url_for(".register", consultation_id=item.id))


@bp.post("/c/<int:consultation_id>/register/<int:item_id>")
@login_required
def register_update(consultation_id: int, item_id: int) -> Any:
    """Save an item's wording, classification, owner, response and status."""
    item = _consultation(consultation_id)
    found = rg.get_item(db.session, item, item_id)
    form = ItemForm(prefix=f"i{found.id}")
    error = None
    if form.validate_on_submit():
        try:
            rg.update_item(
                db.session,
                found,
                text=form.text.data or "",
                kind=form.kind.data or "",
                classification=form.classification.data or None,
                owner=form.owner.data or "",
                response=form.response.data or "",
                status=form.status.data or "",
                decline_reason=form.decline_reason.data or "",
            )
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(f"Item {found.id} saved.")
            return redirect(url_for(".register", consultation_id=item.id) + f"#item-{found.id}")
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    flash(f"Item {found.id} was not saved. {error}", "error")
    return _register_page(item, 400, **{f"item_{found.id}": form})


@bp.post("/c/<int:consultation_id>/register/<int:item_id>/merge")
@login_required
def register_merge(consultation_id: int, item_id: int) -> Any:
    """Merge a duplicate item into this one."""
    item = _consultation(consultation_id)
    found = rg.get_item(db.session, item, item_id)
    form = MergeForm()
    if form.validate_on_submit():
        try:
            rg.merge_items(db.session, item, found, form.other.data or 0)
        except (Refused, NotFound) as exc:
            db.session.rollback()
            flash(str(exc) if isinstance(exc, Refused) else "That item does not exist.", "error")
        else:
            db.session.commit()
            flash(f"Merged into item {found.id}.")
    else:
        flash("Choose an item to merge.", "error")
    return redirect(url_for(".register", consultation_id=item.id) + f"#item-{found.id}")


@bp.post("/c/<int:consultation_id>/register/<int:item_id>/delete")
@login_required
def register_delete(consultation_id: int, item_id: int) -> Any:
    """Remove an item from the register; its comments stay in the record."""
    item = _consultation(consultation_id)
    found = rg.get_item(db.session, item, item_id)
    if DeleteForm().validate_on_submit():
        rg.delete_item(db.session, found)
        db.session.commit()
        flash("Item removed from the register. Its comments are still in the record.")
    else:
        flash("That did not work. Please try again.", "error")
    return redirect(url_for(".register", consultation_id=item.id))


@bp.route("/c/<int:consultation_id>/publish", methods=["GET", "POST"])
@login_required
def publish(consultation_id: int) -> Any:
    """Write and publish "you said, we did": the summary and the register's responses."""
    item = _consultation(consultation_id)
    form = PublishForm()
    if not form.is_submitted():
        form.summary.data = item.published_summary
    error = None
    if form.validate_on_submit():
        try:
            rs.publish(db.session, item, form.summary.data or "", _packs())
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
        public_status=PUBLIC_STATUS,
        public_class=PUBLIC_CLASS,
        public_url=url_for("public.outcome", token=item.public_token, _external=True),
    ), 400 if (error or form.errors) else 200


@bp.app_template_global("published_outcome_for")
def published_outcome_for(consultation: Consultation | None) -> dict[str, Any] | None:
    """What a consultation has published, for the receipt page (None if nothing yet)."""
    if consultation is None:
        return None
    return rs.published_outcome(db.session, consultation)


@bp.app_context_processor
def _outcome_words() -> dict[str, Any]:
    return {"public_status": PUBLIC_STATUS, "public_class": PUBLIC_CLASS}


# --------------------------------------------------------------------------- public "you said, we did"


@public_bp.get("/o/<token>")
def outcome(token: str) -> Any:
    """The published outcome, for anyone with the link, if the team made it public."""
    found = rs.find_public(db.session, token[:80])
    return render_template(
        "exports/public_outcome.html", consultation=found, outcome=rs.published_outcome(db.session, found)
    )


# --------------------------------------------------------------------------- command line


def register_cli(app: Flask) -> None:
    """Add the export commands to ``flask --app workshop``."""

    @app.cli.command("export")
    @click.argument("consultation_id", type=int)
    @click.option(
        "--format",
        "export_format",
        type=click.Choice(["json", "csv", "pdf"]),
        default="json",
        show_default=True,
        help="json: record.json in a zip; csv: one table per record type in a zip; "
        "pdf: the report, with a .manifest.json beside it.",
    )
    @click.option(
        "--output",
        "output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="File to write (default: consultation-ID-... in this folder).",
    )
    def export_command(consultation_id: int, export_format: str, output: Path | None) -> None:
        """Export a consultation's record, with a manifest of SHA-256 hashes."""
        found = db.session.get(Consultation, consultation_id)
        if found is None:
            raise click.ClickException(f"There is no consultation {consultation_id}.")
        built = rs.current_record(db.session, found, _packs())
        data, name, _mimetype, manifest = export_files(
            built, export_format, finalised_sha=rs.finalised_sha256(db.session, found)
        )
        target = output or Path(name)
        target.write_bytes(data)
        click.echo(f"Wrote {target} ({len(data):,} bytes).")
        if export_format == "pdf":
            sidecar = target.with_name(target.name + ".manifest.json")
            sidecar.write_text(
                json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            click.echo(f"Wrote {sidecar}.")
        click.echo(f"Record SHA-256: {manifest['record_sha256']}")

    @app.cli.command("verify-export")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def verify_command(path: Path) -> None:
        """Check an exported zip against its manifest."""
        problems = er.verify_bundle(path.read_bytes())
        if problems:
            for problem in problems:
                click.echo(problem, err=True)
            raise click.ClickException("The export does not match its manifest.")
        click.echo("Every file matches the manifest.")
