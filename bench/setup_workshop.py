"""Make the bench's workshop live on its first position question, through the app's own services.

Run after ``flask --app workshop db upgrade`` and ``flask --app workshop demo`` with the same
environment (WORKSHOP_DATABASE_URL, WORKSHOP_SECRET_KEY). It applies the facilitator control
``goto <position step>`` with ``services.workshops.control`` (exactly what the console's
``control`` event does, without a socket: nobody is connected yet, so there is nobody to tell),
commits, and prints one JSON line: workshop id, join code, projector token, step position and id.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from workshop import create_app
from workshop.extensions import db
from workshop.models import Workshop, WorkshopStep
from workshop.services import workshops as ws


def main() -> None:
    app = create_app()
    with app.app_context():
        workshop = db.session.scalar(select(Workshop).order_by(Workshop.id))
        if workshop is None:
            raise SystemExit("no workshop: run `flask --app workshop demo` first")
        step = db.session.scalar(
            select(WorkshopStep)
            .where(
                WorkshopStep.workshop_id == workshop.id,
                WorkshopStep.kind == "prompt",
                WorkshopStep.prompt_type == "position",
            )
            .order_by(WorkshopStep.position)
        )
        if step is None:
            raise SystemExit("the demo workshop has no position question")
        ws.control(db.session, workshop, "goto", facilitator_id=None, argument=step.position)
        db.session.commit()
        print(
            json.dumps(
                {
                    "workshop": workshop.id,
                    "code": workshop.join_code,
                    "token": workshop.projector_token,
                    "step": step.position,
                    "step_id": step.id,
                    "answering_open": workshop.answering_open,
                }
            )
        )


if __name__ == "__main__":
    main()
