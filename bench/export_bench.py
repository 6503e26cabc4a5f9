"""Time the record exports on a large consultation (a benchmark, not a test).

Builds, in a temporary SQLite database with bulk inserts, one consultation of 1,000
participants in two workshops of the default pack on four use cases, each answering 20
steps (20,000 answers), with 3,000 approved comments, "me too"s and a register of 50 items.
Then times building the record and exporting it as JSON, CSV and PDF: the median of 3 runs
each, every run from the database (load, build, render), as a download would.

    python bench/export_bench.py            # targets: JSON or CSV under 2 s, PDF under 15 s
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from workshop import create_app
from workshop.domain.codes import new_token
from workshop.extensions import db
from workshop.models import (
    Comment,
    Consultation,
    MeToo,
    ModerationEvent,
    Participant,
    RegisterItem,
    RegisterSource,
    Response,
    WorkshopStep,
)

PARTICIPANTS = 1000
COMMENTS = 3000
ROLES = [
    ("Family member", 420),
    ("Young person", 130),
    ("Foster or kinship carer", 90),
    ("Social worker or practitioner", 220),
    ("Manager or commissioner", 60),
    ("Data or technology", 40),
    ("Other", 37),
    ("Rather not say", 3),
]
RUNS = 3


def seed(app: Any) -> int:
    """Create the consultation with bulk inserts; return its id."""
    from workshop.services import consultations as cs
    from workshop.services import workshops as ws
    from workshop.services.accounts import create_facilitator

    rng = random.Random(7)
    with app.app_context():
        db.create_all()
        library = app.extensions["cg_library"]
        owner = create_facilitator(db.session, "bench", "correct horse battery staple")
        consultation = cs.create_consultation(db.session, owner, title="Benchmark consultation", k_threshold=5)
        cards = [cs.copy_card(db.session, consultation, c) for c in list(library.cards.values())[:4]]
        workshops = [
            ws.create_workshop(db.session, consultation, library.default_pack, cards, title=t, moderation="post")
            for t in ("Evening", "Morning")
        ]
        for w in workshops:
            w.status = "ended"
        db.session.flush()
        roles = [role for role, n in ROLES for _ in range(n)]
        rng.shuffle(roles)
        db.session.execute(
            insert(Participant),
            [
                {
                    "workshop_id": workshops[i % 2].id,
                    "token": new_token(),
                    "receipt_hash": new_token(),
                    "role": role,
                    "language": "en",
                    "assisted": False,
                    "consented_at": workshops[0].created_at,
                }
                for i, role in enumerate(roles)
            ],
        )
        people = db.session.execute(select(Participant.id, Participant.workshop_id)).all()
        steps = db.session.scalars(
            select(WorkshopStep)
            .where(WorkshopStep.kind == "prompt")
            .order_by(WorkshopStep.workshop_id, WorkshopStep.position)
        ).all()
        # 20 answered steps per person: values, scale, stages, position and next steps for each of 4 cards.
        answered = {w.id: [s for s in steps if s.workshop_id == w.id and s.prompt_type != "text"] for w in workshops}
        texts = {
            w.id: [s for s in steps if s.workshop_id == w.id and s.prompt_type in ("text", "position")]
            for w in workshops
        }
        responses = []
        for pid, wid in people:
            for step in answered[wid]:
                key, value = answer(step, rng)
                responses.append(
                    {
                        "participant_id": pid,
                        "step_id": step.id,
                        "workshop_id": wid,
                        "client_id": new_token(8),
                        "key": key,
                        "value": value,
                        "created_at": workshops[0].created_at,
                        "updated_at": workshops[0].created_at,
                    }
                )
        db.session.execute(insert(Response), responses)
        comments = []
        for n in range(COMMENTS):
            pid, wid = people[rng.randrange(len(people))]
            step = rng.choice(texts[wid])
            kind = "comment" if step.prompt_type == "text" else rng.choice(["condition", "objection"])
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
            comments.append(
                {
                    "workshop_id": wid,
                    "step_id": step.id,
                    "participant_id": pid,
                    "kind": kind,
                    "text": f"{n}: {words}",
                    "values": rng.sample(["care", "respect", "protect"], 1),
                    "status": "approved",
                    "safeguarding": False,
                    "redactions": {},
                }
            )
        db.session.execute(insert(Comment), comments)
        comment_ids = db.session.scalars(select(Comment.id)).all()
        support = {(rng.choice(comment_ids), rng.choice(people)[0]) for _ in range(5000)}
        db.session.execute(insert(MeToo), [{"comment_id": c, "participant_id": p} for c, p in support])
        for n in range(50):
            item = RegisterItem(
                consultation_id=consultation.id,
                use_case_id=cards[n % 4].id,
                kind="condition",
                text=f"Register item {n}",
                status="agreed",
                response="We will do this.",
                classification="act",
                owner="Project lead",
            )
            db.session.add(item)
            db.session.flush()
            db.session.execute(
                insert(RegisterSource), [{"item_id": item.id, "comment_id": c} for c in rng.sample(comment_ids, 5)]
            )
        db.session.execute(insert(ModerationEvent), [{"workshop_id": workshops[0].id, "action": "approve"}] * 200)
        db.session.commit()
        return consultation.id


def answer(step: WorkshopStep, rng: random.Random) -> tuple[str, dict[str, Any]]:
    if step.prompt_type == "position":
        position = rng.choice(["consent", "conditions", "object", "unsure", "pass"])
        value: dict[str, Any] = {"position": position}
        if position == "object":
            value["ground"] = rng.choice(["care", "protect", "inequality"])
        return position, value
    if step.prompt_type == "scale":
        n = rng.randint(1, 5)
        return str(n), {"scale": n}
    if step.prompt_type == "values":
        keys = rng.sample(["respect", "connect", "care", "protect"], rng.randint(1, 3))
        return ",".join(keys), {"values": keys}
    keys = [o["key"] for o in step.content["options"]]
    chosen = rng.sample(keys, rng.randint(1, 3))
    return ",".join(chosen), {"choices": chosen}


WORDS = (
    "families",
    "told",
    "score",
    "social",
    "worker",
    "data",
    "fair",
    "poor",
    "check",
    "always",
    "review",
    "children",
    "trust",
    "council",
    "wrong",
    "records",
    "school",
    "help",
    "early",
    "risk",
    "should",
    "never",
)


def median_time(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run fn RUNS times; return the median wall-clock and CPU seconds, and the last result."""
    times, cpu, result = [], [], None
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), result


def main() -> None:
    from workshop.domain.report import REPORT_COMMENT_LIMIT
    from workshop.services import records as rs
    from workshop.web.rendering import export_files

    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall-clock times grow with it)")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench"})
        start = time.perf_counter()
        cid = seed(app)
        print(f"seeded in {time.perf_counter() - start:.1f} s")
        with app.app_context():
            consultation = db.session.get(Consultation, cid)
            packs = app.extensions["cg_library"].packs
            counts = {m.__tablename__: db.session.query(m).count() for m in (Participant, Response, Comment, MeToo)}
            print("rows:", counts)
            build_s, build_cpu, record = median_time(lambda: rs.current_record(db.session, consultation, packs))
            print(f"load and build the record: {build_s:.2f} s wall, {build_cpu:.2f} s CPU (median of {RUNS})")

            def run(fmt: str) -> bytes:
                built = rs.current_record(db.session, consultation, packs)
                return export_files(built, fmt, finalised_sha=None)[0]

            results = {}
            for fmt, target in (("json", 2.0), ("csv", 2.0), ("pdf", 15.0)):
                seconds, cpu, data = median_time(lambda fmt=fmt: run(fmt))
                results[fmt] = seconds
                verdict = "ok" if seconds < target else "SLOW"
                print(
                    f"{fmt:>4}: {seconds:6.2f} s wall, {cpu:6.2f} s CPU, median of {RUNS} ({len(data):,} bytes; "
                    f"target {target:.0f} s: {verdict})"
                )
        comments = sum(
            len(u["consent"]["conditions"]) + len(u["consent"]["objections"]["reasons"]) + len(u["concern"]["comments"])
            for u in record["use_cases"]
        )
        print(
            f"approved comments in the record: {comments}; the PDF prints at most {REPORT_COMMENT_LIMIT} of each "
            "kind per use case, with a count of the rest"
        )


if __name__ == "__main__":
    main()
