"""The conditions register: merge approved comments into items, classify them and respond."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for

from ...extensions import db
from ...models import Consultation
from ...services import NotFound, Refused
from ...services import register as rg
from ..auth import login_required
from .blueprint import bp, consultation
from .forms import CandidatesForm, DeleteForm, ItemForm, MergeForm


@bp.get("/c/<int:consultation_id>/register")
@login_required
def register(consultation_id: int) -> Any:
    """The conditions register: merge comments into items, classify them and respond."""
    item = consultation(consultation_id)
    return _register_page(item)


def _register_page(item: Consultation, status: int = 200, **forms: Any) -> Any:
    items = rg.register_items(db.session, item)
    sources = rg.item_sources(db.session, items)
    found = rg.candidates(db.session, item)
    by_id = {c.id: c for c in found}
    item_forms = {}
    for i in items:
        form = forms.get(f"item_{i.id}") or ItemForm(formdata=None, obj=i, prefix=f"i{i.id}")
        if form.classification.data is None:
            form.classification.data = ""
        item_forms[i.id] = form
    return render_template(
        "exports/register.html",
        consultation=item,
        items=items,
        sources=sources,
        candidates=found,
        by_id=by_id,
        item_forms=item_forms,
        support={i: sum(by_id[c].me_too for c in cids if c in by_id) for i, cids in sources.items()},
        candidates_form=forms.get("candidates") or CandidatesForm(formdata=None),
        merge_form=MergeForm(formdata=None),
        delete_form=DeleteForm(formdata=None),
        unmerged=[c for c in found if not c.items],
        use_case_titles={u.id: u.title for u in item.use_cases},
    ), status


@bp.post("/c/<int:consultation_id>/register/items")
@login_required
def register_add(consultation_id: int) -> Any:
    """Make a new register item from chosen comments, or add them to an existing item."""
    item = consultation(consultation_id)
    form = CandidatesForm()
    if not form.validate_on_submit():
        flash("That did not work. Please try again.", "error")
        return redirect(url_for(".register", consultation_id=item.id))
    try:
        if form.action.data == "add":
            if not form.item.data:
                raise Refused("Choose the item to add the comments to.")
            target = rg.get_item(db.session, item, form.item.data)
            added = rg.add_sources(db.session, item, target, form.comments.data or [])
            message = f"Added {added} comment{'s' if added != 1 else ''} to item {target.id}."
        else:
            created = rg.create_item(db.session, item, form.comments.data or [], text=form.text.data or None)
            message = f"Item {created.id} added to the register."
    except (Refused, NotFound) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, Refused) else "That item does not exist.", "error")
    else:
        db.session.commit()
        flash(message)
    return redirect(url_for(".register", consultation_id=item.id))


@bp.post("/c/<int:consultation_id>/register/<int:item_id>")
@login_required
def register_update(consultation_id: int, item_id: int) -> Any:
    """Save an item's wording, classification, owner, response and status."""
    item = consultation(consultation_id)
    found = rg.get_item(db.session, item, item_id)
    form = ItemForm(prefix=f"i{found.id}")
    error = None
    if form.validate_on_submit():
        try:
            rg.update_item(
                db.session,
                found,
                text=form.text.data or "",
                kind=form.kind.data or "",
                classification=form.classification.data or None,
                owner=form.owner.data or "",
                response=form.response.data or "",
                status=form.status.data or "",
                decline_reason=form.decline_reason.data or "",
            )
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(f"Item {found.id} saved.")
            return redirect(url_for(".register", consultation_id=item.id) + f"#item-{found.id}")
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    flash(f"Item {found.id} was not saved. {error}", "error")
    return _register_page(item, 400, **{f"item_{found.id}": form})


@bp.post("/c/<int:consultation_id>/register/<int:item_id>/merge")
@login_required
def register_merge(consultation_id: int, item_id: int) -> Any:
    """Merge a duplicate item into this one."""
    item = consultation(consultation_id)
    found = rg.get_item(db.session, item, item_id)
    form = MergeForm()
    if form.validate_on_submit():
        try:
            rg.merge_items(db.session, item, found, form.other.data or 0)
        except (Refused, NotFound) as exc:
            db.session.rollback()
            flash(str(exc) if isinstance(exc, Refused) else "That item does not exist.", "error")
        else:
            db.session.commit()
            flash(f"Merged into item {found.id}.")
    else:
        flash("Choose an item to merge.", "error")
    return redirect(url_for(".register", consultation_id=item.id) + f"#item-{found.id}")


@bp.post("/c/<int:consultation_id>/register/<int:item_id>/delete")
@login_required
def register_delete(consultation_id: int, item_id: int) -> Any:
    """Remove an item from the register; its comments stay in the record."""
    item = consultation(consultation_id)
    found = rg.get_item(db.session, item, item_id)
    if DeleteForm().validate_on_submit():
        rg.delete_item(db.session, found)
        db.session.commit()
        flash("Item removed from the register. Its comments are still in the record.")
    else:
        flash("That did not work. Please try again.", "error")
    return redirect(url_for(".register", consultation_id=item.id))
