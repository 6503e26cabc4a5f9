"""The command-line adapter: every ``flask --app workshop ...`` command of the app.

Accounts (``facilitator create|password|list``), the demo (``demo``), exports (``export``,
``verify-export``: the same bytes as a download, through ``web.rendering``) and retention
(``purge``, which the retention promise relies on nightly). Each command is a thin shell
around services, like the routes: it owns the transaction and says what happened plainly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..domain import export_render as er
from ..extensions import db
from ..models import Consultation, Facilitator
from ..services import Refused, retention
from ..services import records as rs
from ..services.accounts import create_facilitator, set_password
from ..services.consultations import add_member
from ..services.demo import is_empty, seed_demo
from .rendering import export_files


def _read_password(confirm: bool = True) -> str:
    """Read a password from a hidden prompt, or from the first line of stdin when piped."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=confirm))


def _packs() -> Mapping[str, Any]:
    return current_app.extensions["cg_library"].packs  # type: ignore[no-any-return]


def register_cli(app: Flask) -> None:
    """Add every command to ``flask --app workshop``."""
    _account_commands(app)
    _export_commands(app)
    _retention_commands(app)


def _account_commands(app: Flask) -> None:
    facilitator = AppGroup("facilitator", help="Manage facilitator accounts.")

    @facilitator.command("create")
    @click.argument("name")
    def create(name: str) -> None:
        """Create a facilitator. The password is read from a prompt or stdin, never the command line."""
        password = _read_password()
        try:
            create_facilitator(db.session, name, password)
        except Refused as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"Facilitator {name} created. They can log in at /login.")

    @facilitator.command("password")
    @click.argument("name")
    def password(name: str) -> None:
        """Set a new password for a facilitator (read from a prompt or stdin)."""
        found = db.session.scalar(db.select(Facilitator).where(Facilitator.name == name))
        if found is None:
            raise click.ClickException(f"There is no facilitator called {name}.")
        try:
            set_password(db.session, found, _read_password())
        except Refused as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"Password changed for {name}.")

    @facilitator.command("list")
    def list_() -> None:
        """List facilitator names."""
        for f in db.session.scalars(db.select(Facilitator).order_by(Facilitator.name)):
            click.echo(f.name)

    @facilitator.command("share")
    @click.argument("consultation_id", type=int)
    @click.argument("name")
    def share(consultation_id: int, name: str) -> None:
        """Let a facilitator see and run a consultation (for two people who share none yet)."""
        item = db.session.get(Consultation, consultation_id)
        if item is None:
            raise click.ClickException(f"There is no consultation {consultation_id}.")
        try:
            add_member(db.session, item, name, by=None)
        except Refused as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"{name} can now see and run consultation {consultation_id}.")

    app.cli.add_command(facilitator)

    @app.cli.command("demo")
    def demo() -> None:
        """Create the demo consultation and workshop on an empty database."""
        if not is_empty(db.session):
            raise click.ClickException("The database already has facilitators; the demo is only made on an empty one.")
        fac, pw, workshop = seed_demo(db.session, current_app.extensions["cg_library"])
        db.session.commit()
        click.echo(f"Demo facilitator: {fac.name}  password: {pw}  join code: {workshop.join_code}")


def _export_commands(app: Flask) -> None:
    """Add the export commands: ``export`` and ``verify-export``."""

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


def _retention_commands(app: Flask) -> None:
    """Add the retention command, ``purge``."""

    @app.cli.command("purge")
    @click.option("--dry-run", is_flag=True, help="Say what would be deleted, and delete nothing.")
    def purge(dry_run: bool) -> None:
        """Delete raw answers and comments whose retention period has passed.

        For each such consultation the aggregated record is stored first; then participants,
        answers, comments and "me too"s are deleted. The record, the workshops, the logs and
        the conditions register are kept. Free text goes from every stored record, unless the
        consultation keeps approved comments that pass a fresh screen.
        """
        now = datetime.now(UTC)
        reports = retention.purge_due(
            db.session, now=now, dry_run=dry_run, packs=_packs(), screener=current_app.extensions["cg_screener"]
        )
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
