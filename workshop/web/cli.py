"""Command-line tools: ``flask --app workshop facilitator create NAME`` and friends."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..extensions import db
from ..services import Refused
from ..services.accounts import create_facilitator, set_password


def _read_password(confirm: bool = True) -> str:
    """Read a password from a hidden prompt, or from the first line of stdin when piped."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=confirm))


def register_cli(app: Flask) -> None:
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
        from ..models import Facilitator

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
        from ..models import Facilitator

        for f in db.session.scalars(db.select(Facilitator).order_by(Facilitator.name)):
            click.echo(f.name)

    @facilitator.command("share")
    @click.argument("consultation_id", type=int)
    @click.argument("name")
    def share(consultation_id: int, name: str) -> None:
        """Let a facilitator see and run a consultation (for two people who share none yet)."""
        from ..models import Consultation
        from ..services.consultations import add_member

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
        from ..services.demo import is_empty, seed_demo

        if not is_empty(db.session):
            raise click.ClickException("The database already has facilitators; the demo is only made on an empty one.")
        fac, pw, workshop = seed_demo(db.session, current_app.extensions["cg_library"])
        db.session.commit()
        click.echo(f"Demo facilitator: {fac.name}  password: {pw}  join code: {workshop.join_code}")
