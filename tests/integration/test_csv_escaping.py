"""CSV exports: no cell can run as a spreadsheet formula, whichever table or column it is in.

Escaping lives in the one function that writes every CSV cell (``export_render._cell``), so
a new column cannot forget it. Planted here in a use-case title and in role names, which
earlier reached the tables unescaped.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from workshop.domain import export_render as er
from workshop.extensions import db
from workshop.models import Participant, UseCase, Workshop

from .test_exports import FAMILY, PRACTITIONER, csv_tables, login, seed

TITLE = '=HYPERLINK("http://evil.example/","Click")'
ROLES = {FAMILY: "-2+3 Family", PRACTITIONER: "@SUM(A1) worker"}
FORMULA = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def test_titles_and_roles_are_escaped_in_every_csv_table(app: Flask, client: FlaskClient) -> None:
    seeded = seed(app)
    with app.app_context():
        db.session.execute(update(UseCase).where(UseCase.id == seeded.use_case_id).values(title=TITLE))
        for old, new in ROLES.items():
            db.session.execute(update(Participant).where(Participant.role == old).values(role=new))
        for workshop in db.session.scalars(select(Workshop)):
            workshop.roles = [ROLES.get(r, r) for r in workshop.roles]
            workshop.title = "\tTabbed " + workshop.title
        db.session.commit()
    login(client)
    tables, _, _ = csv_tables(client, seeded.consultation_id)
    cells = [(name, key, value) for name, rows in tables.items() for row in rows for key, value in row.items()]
    unsafe = [c for c in cells if c[2] and c[2].startswith(FORMULA) and not NUMBER.match(c[2])]
    assert not unsafe, unsafe[:5]
    values = {c[2] for c in cells}
    assert "'" + TITLE in values  # the title is there, escaped, not dropped
    assert any(v.startswith("'-2+3 Family") for v in values)
    assert any(v.startswith("'@SUM(A1) worker") for v in values)
    assert any(v.startswith("'\tTabbed") for v in values)


def test_every_text_cell_is_escaped_by_the_cell_writer() -> None:
    for start in FORMULA:
        assert er._cell(start + "x") == "'" + start + "x"
        assert er._cell([start + "a", "b"]) == "'" + start + "a;b"
    assert er._cell("plain") == "plain" and er._cell(-3) == -3 and er._cell(None) == ""
