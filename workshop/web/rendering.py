"""A record made into files (JSON, CSV, the PDF report): shared by the export routes and the CLI.

Not a view: the ``exports`` blueprint and ``flask --app workshop export`` both call
``export_files``, so a download and a command-line export of the same record are the same
bytes. JSON, CSV and manifests are the pure ``domain.export_render``; the report is one Jinja
template, shown as a web page or printed by WeasyPrint as a tagged PDF/UA-1 file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app

from ..config import ROOT
from ..domain import export_render as er
from ..domain.records import RECORD_VERSION
from ..domain.report import REPORT_COMMENT_LIMIT, question_chart, top_comments
from ..domain.vocabulary import LIFECYCLE, OBJECTION_GROUNDS, POSITIONS, PUBLIC_CLASS, PUBLIC_STATUS, VALUES
from ..models import utcnow
from ..services import register as rg

GENERATOR = f"Common Ground (record version {RECORD_VERSION})"
FORMATS = ("json", "csv", "pdf", "pdf-bundle")
REPORT_CSS = ROOT / "static" / "css" / "report.css"


def report_context(
    record: Mapping[str, Any],
    generated_at: datetime,
    finalised_sha: str | None,
    limit: int | None = REPORT_COMMENT_LIMIT,
) -> dict[str, Any]:
    """Everything the report template needs: the record, its hashes, the charts and the words."""
    return {
        "r": record,
        "sha256": er.record_sha256(record),
        "finalised_sha256": finalised_sha,
        "generated_at": generated_at.replace(microsecond=0).isoformat(),
        "chart": question_chart,
        "top": top_comments,
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
    # Deliberately lazy: WeasyPrint takes about a second to import and only PDF exports need it.
    from weasyprint import CSS, HTML

    # Rendered straight from the Jinja environment: the command line has no request to run context processors.
    template = current_app.jinja_env.get_template("exports/report_pdf.html")
    html = template.render(**report_context(record, generated_at, finalised_sha))
    pdf = HTML(string=html, base_url=str(ROOT / "static")).write_pdf(
        stylesheets=[CSS(filename=str(REPORT_CSS))], pdf_variant="pdf/ua-1"
    )
    assert pdf is not None
    return pdf


def export_files(
    record: Mapping[str, Any], export_format: str, *, finalised_sha: str | None, generated_at: datetime | None = None
) -> tuple[bytes, str, str, dict[str, Any]]:
    """Render one export: (bytes, file name, MIME type, manifest)."""
    when = generated_at or utcnow()
    slug = f"consultation-{record['consultation']['id']}"
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
