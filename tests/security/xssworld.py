"""XSS payloads typed into every text field, and a check that pages show them only as text.

Shared by ``test_xss.py`` (the HTML, through the test client, every payload in every field)
and ``test_xss_browser.py`` (real Chromium, watching for any payload running).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from tests.support import Factory, Live
from workshop.domain.packs import CARD_FIELDS
from workshop.extensions import db
from workshop.models import Comment, Consultation, RegisterItem, Workshop

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = [
    line
    for line in (ROOT / "tests" / "data" / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]

# Tags our own pages use (read from the templates), plus what the SVG charts and QR codes draw.
SVG_TAGS = {"svg", "path", "rect", "text", "title", "desc", "g", "circle", "line", "tspan"}
OUR_TAGS = SVG_TAGS | {
    m.lower()
    for t in (ROOT / "templates").rglob("*.html")
    for m in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", t.read_text(encoding="utf-8"))
}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href", "poster", "background"}
SSTI_MARKS = ("1787569", "sstisstissti", "test-secret-key")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in OUR_TAGS:
            self.problems.append(f"a <{tag}> tag we never write")
        for name, value in attrs:
            name, value = name.lower(), (value or "")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} {name}=...>")
            if name == "http-equiv" and "url" in (dict(attrs).get("content") or "").lower():
                self.problems.append(f"<{tag} {name}=...> that goes somewhere")
            squashed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if name in URL_ATTRS and squashed.startswith(("javascript:", "data:text/html", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"<script> not from /static: {attrs}")

    handle_startendtag = handle_starttag


# Every text field fill() plants a payload in, by the key it reads from its payloads.
FIELDS = (
    "consultation",
    "use_case",
    "workshop",
    "role",
    "names",
    "comment",
    "condition",
    "objection",
    "register",
    "summary",
)


def problems(html: str) -> list[str]:
    """What in a page shows that a payload was written as markup, not text."""
    checker = _Checker()
    checker.feed(html)
    found = checker.problems
    found += [f"template code ran ({mark})" for mark in SSTI_MARKS if mark in html]
    return found


def shown_as_text(html: str, text: str) -> bool:
    """True if ``text`` is in the page, HTML-escaped (the way Jinja writes it)."""
    return str(escape(text)) in html


def fill(factory: Factory, payloads: dict[str, str], *, k_threshold: int = 2) -> dict[str, Any]:
    """Type payloads into every text field, through the real forms, and play a workshop to the end.

    ``payloads`` maps a field group to the payload for it: consultation, use_case, workshop,
    role, names, comment, condition, objection, register, summary. Returns the workshop (``live``,
    a :class:`Live`, plus its ids and codes as keys) and
    the clients (facilitator and three phones) to look at the pages with.
    """
    app = factory.app
    p = payloads
    facilitator = factory.login("alex")
    assert (
        facilitator.post(
            "/f/consultations/new",
            data={
                "title": p["consultation"][:200],
                "description": p["consultation"],
                "organisation": p["consultation"][:200],
                "k_threshold": k_threshold,
                "retention_days": 30,
                "public_outcome": "y",
            },
        ).status_code
        == 302
    )
    with app.app_context():
        cid = db.session.scalar(select(Consultation.id).order_by(Consultation.id.desc()))
    response = facilitator.post(f"/f/c/{cid}/use-cases/new", data={name: p["use_case"] for name in CARD_FIELDS})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        uid = db.session.get(Consultation, cid).use_cases[0].id
    role = p["role"]
    response = facilitator.post(
        f"/f/c/{cid}/workshops/new",
        data={
            "title": p["workshop"][:200],
            "pack": app.extensions["cg_library"].default_pack.id,
            "use_cases": [str(uid)],
            "roles": f"{role}\nFamily member",
            "moderation": "pre",
            "protection": "open",  # these tests join phones without the presence code
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        workshop = db.session.scalar(select(Workshop).where(Workshop.consultation_id == cid))
        live = Live(cid, workshop.id, workshop.join_code, workshop.projector_token, factory.facilitator("alex"), (uid,))
    w: dict[str, Any] = {"live": live, "cid": cid, "wid": live.workshop_id, "code": live.code, "base": live.base}
    w["token"] = live.projector_token
    base = w["base"]
    assert (
        facilitator.post(
            base + "/settings",
            data={
                "title": p["workshop"][:200],
                "roles": f"{role}\nFamily member",
                "moderation": "pre",
                "redaction_names": "",
                "safeguarding_phrases": "purple umbrella",
            },
        ).status_code
        == 302
    )

    # Three phones: two choose the payload as their role (k=2, so the console shows that group).
    phones = [factory.join(w["live"], role=role), factory.join(w["live"], role=role), factory.join(w["live"])]
    receipts = []
    for phone in phones:
        with phone.session_transaction() as session:
            receipts.append(session["r"][str(w["wid"])])
    factory.goto(w["live"], kind="card")
    position = factory.goto(w["live"], prompt_type="position")
    assert (
        factory.post_answer(
            phones[0], w["live"], position, position="conditions", conditions=[p["condition"], p["condition"] + " too"]
        ).status_code
        == 302
    )
    assert (
        factory.post_answer(
            phones[1], w["live"], position, position="object", reason=p["objection"], ground="care"
        ).status_code
        == 302
    )
    text = factory.goto(w["live"], prompt_type="text")
    assert factory.post_answer(phones[0], w["live"], text, text=p["comment"]).status_code == 302
    assert (
        factory.post_answer(phones[2], w["live"], text, text="the purple umbrella " + p["comment"]).status_code == 302
    )

    # Approve everything that can be shown; redact one by hand; reveal.
    with app.app_context():
        comments = db.session.scalars(select(Comment).where(Comment.workshop_id == w["wid"]).order_by(Comment.id))
        ids = [(c.id, c.safeguarding) for c in comments]
    for comment_id, held in ids:
        if not held:
            assert facilitator.post(base + f"/moderation/{comment_id}/approve").status_code == 302
    w["comment_ids"] = [i for i, held in ids if not held]
    factory.control(w["live"], "reveal")
    # The names to hide, typed in after the comments (so the comments keep the payload).
    assert (
        facilitator.post(
            base + "/settings",
            data={
                "title": p["workshop"][:200],
                "roles": f"{role}\nFamily member",
                "moderation": "pre",
                "redaction_names": p["names"],
                "safeguarding_phrases": f"purple umbrella\n{p['names']}",
            },
        ).status_code
        == 302
    )
    with app.app_context():
        db.session.add(
            RegisterItem(
                consultation_id=cid,
                kind="condition",
                text=p["register"],
                owner=p["register"][:200],
                response=p["register"],
                classification="act",
            )
        )
        db.session.commit()
    facilitator.post(f"/f/c/{cid}/publish", data={"summary": p["summary"]})
    with app.app_context():
        w["public"] = db.session.get(Consultation, cid).public_token
    w.update(facilitator=facilitator, phones=phones, receipts=receipts, position=position, text=text)
    return w


def pages(factory: Factory, w: dict[str, Any]) -> list[tuple[str, FlaskClient, str, str]]:
    """Every page a payload can reach: (audience, client, method, path). Steps are moved as needed."""
    fac, phones, code, base = w["facilitator"], w["phones"], w["code"], w["base"]
    cid = w["cid"]
    out: list[tuple[str, FlaskClient, str, str]] = [
        ("facilitator", fac, "GET", "/f/"),
        ("facilitator", fac, "GET", f"/f/c/{cid}"),
        ("facilitator", fac, "GET", f"/f/c/{cid}/edit"),
        ("facilitator", fac, "GET", f"/f/c/{cid}/use-cases/{w['live'].use_case_id}/edit"),
        ("facilitator", fac, "GET", f"/f/c/{cid}/workshops/new"),
        ("facilitator", fac, "GET", base),
        ("facilitator", fac, "GET", base + "/moderation"),
        ("facilitator", fac, "GET", base + f"/moderation/{w['comment_ids'][0]}/edit"),
        ("facilitator", fac, "GET", f"/f/c/{cid}/record"),
        ("facilitator", fac, "GET", f"/f/c/{cid}/record/report"),
        ("facilitator", fac, "GET", f"/f/c/{cid}/register"),
        ("facilitator", fac, "GET", f"/f/c/{cid}/publish"),
        ("public", factory.client(), "GET", f"/o/{w['public']}"),
        ("public", factory.client(), "GET", f"/j/{code}"),
        ("phone", phones[0], "GET", f"/w/{code}/role"),
        ("phone", phones[0], "GET", f"/w/{code}/receipt"),
    ]
    steps = [("card", None), ("prompt", "position"), ("prompt", "text")]
    for kind, prompt_type in steps:
        out.append(("step", None, kind, prompt_type or ""))  # a marker: move the workshop here
        out += [
            ("facilitator", fac, "GET", base + "/console"),
            ("facilitator", fac, "GET", base + "/console/panel"),
            ("projector", factory.client(), "GET", f"/p/{w['token']}"),
            ("projector", factory.client(), "GET", f"/p/{w['token']}/panel"),
            ("phone", phones[0], "GET", f"/w/{code}"),
            ("phone", phones[1], "GET", f"/w/{code}"),
            ("phone", phones[2], "GET", f"/w/{code}/comments"),
            ("phone", phones[1], "GET", f"/w/{code}/comments"),
        ]
    out.append(("receipt", factory.client(), "POST", "/receipt"))
    return out


def visit(factory: Factory, w: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Fetch every page of :func:`pages`; return (audience, path, html) for each HTML page."""
    seen = []
    for audience, client, method, path in pages(factory, w):
        if audience == "step":
            factory.goto(w["live"], kind=method, prompt_type=path or None)
            factory.control(w["live"], "reveal")
            continue
        receipt = {"receipt": w["receipts"][0]}
        response = client.post(path, data=receipt) if method == "POST" else client.get(path)
        assert response.status_code == 200, (method, path, response.status_code)
        if (response.mimetype or "").startswith("text/html"):
            seen.append((audience, path, response.get_data(as_text=True)))
    return seen
