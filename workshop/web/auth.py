"""Facilitator login and logout; every facilitator page sits behind ``login_required``."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for

from ..extensions import db
from ..models import Facilitator, utcnow
from ..realtime import close_facilitator_sockets
from ..services.accounts import authenticate
from . import ratelimit
from .forms import LoginForm, LogoutForm
from .validation import safe_target

bp = Blueprint("auth", __name__)

F = TypeVar("F", bound=Callable[..., Any])


def session_facilitator_id() -> int | None:
    """Return the logged-in facilitator's id if the login has not expired."""
    fid, auth_at = session.get("fid"), session.get("auth_at")
    if not isinstance(fid, int) or not isinstance(auth_at, (int, float)):
        return None
    if time.time() - auth_at > current_app.config["SESSION_HOURS"] * 3600:
        return None
    return fid


def current_facilitator() -> Facilitator | None:
    """Return the logged-in facilitator, or None if the login expired or they logged out since."""
    fid = session_facilitator_id()
    facilitator = db.session.get(Facilitator, fid) if fid else None
    if facilitator is None:
        return None
    if facilitator.logged_out_at is not None and session["auth_at"] <= facilitator.logged_out_at.timestamp():
        return None
    return facilitator


def login_required(view: F) -> F:
    """Send anyone not logged in to the login page, then back."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        facilitator = current_facilitator()
        if facilitator is None:
            session.pop("fid", None)
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        g.facilitator = facilitator
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _safe_next(target: str | None) -> str:
    return safe_target(target, url_for("facilitator.index"))


NO_MATCH = "That name and password do not match. Please check them and try again."


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Log a facilitator in. Failures are throttled per (name, client) pair, never by locking the account."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        name = form.name.data or ""
        wait = ratelimit.login_wait(name)
        if wait:
            # The same words whether or not the name exists, and the password is not checked.
            detail = "a minute" if wait <= 60 else f"{ratelimit.minutes(wait)} minutes"
            error = f"Too many tries. Please wait {detail} and try again."
            return render_template("auth/login.html", form=form, error=error), 429, {"Retry-After": str(int(wait) + 1)}
        facilitator = authenticate(db.session, name, form.password.data or "")
        if facilitator is not None:
            ratelimit.login_succeeded(name)
            # A fresh session on login: nothing from before carries over (no fixation).
            session.clear()
            session.permanent = True
            session["fid"] = facilitator.id
            session["auth_at"] = time.time()
            return redirect(_safe_next(request.args.get("next")))
        ratelimit.login_failed(name)
        error = NO_MATCH
    elif request.method == "POST" and not form.errors.get("csrf_token"):
        error = "Please enter your name and password."
    elif form.errors.get("csrf_token"):
        error = "This form had expired. Please try again."
    return render_template("auth/login.html", form=form, error=error), 400 if error else 200


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    form = LogoutForm()
    if form.validate_on_submit():
        facilitator = current_facilitator()
        if facilitator is not None:
            facilitator.logged_out_at = utcnow()
            db.session.commit()
            # A console left open in another tab stops receiving results now, not at its next event.
            close_facilitator_sockets(facilitator.id)
        session.clear()
        flash("You have logged out.")
    return redirect(url_for("auth.login"))
