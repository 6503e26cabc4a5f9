"""Run Common Ground on one machine: ``python run.py [--host H] [--port P]``.

On an empty database this migrates, makes a demo consultation with a ready workshop and a
facilitator ``demo`` with a random password, and prints where to log in and join.
Also the WSGI target for gunicorn's gevent worker: ``gunicorn -c gunicorn.conf.py run:app``.
The work is in ``workshop.serve`` (which lets gevent patch the standard library first), so an
installed copy (``pip install .``) runs the same way as ``common-ground`` or ``python -m workshop``.
"""

from workshop.serve import build_app, main

app = build_app()

if __name__ == "__main__":
    main(app)
