"""CPU cost of one answer through the real handler, without the network: ``python bench/micro_answer.py``.

Builds the app on a temporary SQLite file (WAL, as in production), makes the demo workshop
live on its position question, joins P phones through the real HTTP form with Flask test
clients, connects each with Flask-SocketIO's test client, and sends A answers per phone
through the real ``answer`` handler. It reports CPU time per answer (``time.process_time``,
so other load on the machine does not distort it) and, with ``--profile``, the top frames.
The coalescing publisher runs as in production (PUSH_INTERVAL 0.1 s; its ticks are counted).
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--answers", type=int, default=10, help="answers per phone (the rate limit allows 60 a minute)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="cg-micro-")
    os.environ["WORKSHOP_DATABASE_URL"] = f"sqlite:///{tmp}/micro.sqlite3"
    os.environ.setdefault("WORKSHOP_SECRET_KEY", "micro-benchmark-key")

    from flask_migrate import upgrade

    from workshop import create_app
    from workshop.extensions import db, socketio
    from workshop.models import WorkshopStep
    from workshop.services import workshops as ws
    from workshop.services.demo import seed_demo

    app = create_app({"WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        _, _, workshop = seed_demo(db.session, app.extensions["cg_library"])
        step = db.session.scalar(
            db.select(WorkshopStep)
            .where(WorkshopStep.workshop_id == workshop.id, WorkshopStep.prompt_type == "position")
            .order_by(WorkshopStep.position)
        )
        ws.control(db.session, workshop, "goto", facilitator_id=None, argument=step.position)
        db.session.commit()
        wid, code, position = workshop.id, workshop.join_code, step.position

    phones = []
    join_profiler = cProfile.Profile() if args.profile else None
    join_cpu = time.process_time()
    if join_profiler:
        join_profiler.enable()
    for _ in range(args.phones):
        client = app.test_client()
        assert client.get(f"/j/{code}").status_code == 200
        assert client.post(f"/j/{code}", data={}).status_code == 302
        phones.append(socketio.test_client(app, flask_test_client=client, auth={"as": "phone", "workshop": wid}))
    if join_profiler:
        join_profiler.disable()
    print(
        f"joining: CPU {(time.process_time() - join_cpu) / args.phones * 1000:.2f} ms per phone "
        "(welcome page, consent form, socket connect)"
    )
    choices = ("consent", "unsure", "pass")

    errors: list[object] = []

    def send_all() -> int:
        ok = 0
        for a in range(args.answers):
            for i, phone in enumerate(phones):
                ack = phone.emit(
                    "answer",
                    {"step": position, "client_id": f"m{i:06d}-{a:04d}", "value": {"position": choices[(i + a) % 3]}},
                    callback=True,
                )
                ok += bool(ack and ack.get("ok"))
                if not (ack and ack.get("ok")) and not errors:
                    errors.append(ack)
        return ok

    profiler = cProfile.Profile() if args.profile else None
    started, cpu = time.monotonic(), time.process_time()
    if profiler:
        profiler.enable()
    ok = send_all()
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.monotonic() - started
    total = args.phones * args.answers
    print(
        f"{ok}/{total} answers acknowledged ok; CPU {cpu / total * 1000:.3f} ms per answer "
        f"(wall {wall / total * 1000:.3f} ms)" + (f"; first refusal: {errors[0]}" if errors else "")
    )
    if profiler and join_profiler:
        print("\n== answering ==")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        print("\n== joining ==")
        pstats.Stats(join_profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
