"""The ceiling of this stack: a bare Flask-SocketIO server in gevent mode, ``python bench/bare_server.py --port P``.

It speaks just enough of Common Ground's protocol for the same client harness to drive it:
GET /j/<code> returns a page with a csrf_token field and sets a cookie, POST /j/<code> "joins",
a socket connects with ``auth = {as: phone|projector, workshop}``, and the ``answer`` handler
only increments a counter and acknowledges. A background task pushes a coalesced ``tally``
(``{answered}``) to the projector room at most every 100 ms, as the real Publisher does.
Whatever our app costs above this is the price of its own work.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import gc  # noqa: E402
import logging  # noqa: E402
import secrets  # noqa: E402

from flask import Flask, make_response, request, session  # noqa: E402
from flask_socketio import ConnectionRefusedError, SocketIO, join_room  # noqa: E402

app = Flask(__name__)
app.config.update(SECRET_KEY=secrets.token_hex(16), SESSION_COOKIE_NAME="cg_session")
socketio = SocketIO(app, async_mode="gevent", max_http_buffer_size=16 * 1024, ping_interval=25, ping_timeout=20)

answered = 0
pushed = -1

PAGE = '<form method="post"><input type="hidden" name="csrf_token" value="{token}"></form>'


@app.get("/j/<code>")
def welcome(code: str):
    session["csrf"] = secrets.token_hex(8)
    return PAGE.format(token=session["csrf"])


@app.post("/j/<code>")
def join(code: str):
    if request.form.get("csrf_token") != session.get("csrf"):
        return "bad token", 400
    session["p"] = secrets.token_hex(8)
    response = make_response("", 302)
    response.headers["Location"] = f"/w/{code}/role"
    return response


@app.get("/")
def home():
    return "bare"


@socketio.on("connect")
def on_connect(auth=None):
    kind = auth.get("as") if isinstance(auth, dict) else None
    if kind == "phone" and session.get("p"):
        join_room("phones")
    elif kind == "projector":
        join_room("projector")
    else:
        raise ConnectionRefusedError("not allowed")


@socketio.on("answer")
def on_answer(data):
    global answered
    answered += 1
    return {"ok": True, "client_id": data.get("client_id") if isinstance(data, dict) else None}


def push() -> None:
    """Send the count to the projector at most every 100 ms, only when it changed."""
    global pushed
    while True:
        socketio.sleep(0.1)
        if answered != pushed:
            pushed = answered
            socketio.emit("tally", {"answered": answered, "step": 0}, to="projector")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5100)
    args = parser.parse_args()
    logging.getLogger("engineio.server").setLevel(logging.WARNING)
    logging.getLogger("socketio.server").setLevel(logging.WARNING)
    socketio.start_background_task(push)
    print("bare server ready", flush=True)
    # The same garbage-collector settings as run.py, so the comparison is like for like.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    socketio.run(app, host=args.host, port=args.port, log_output=False)


if __name__ == "__main__":
    main()
