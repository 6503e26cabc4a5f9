"""The forms of the record, register and publishing pages (every POST is a FlaskForm with CSRF)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ...services import register as rg


class MultiIntField(SelectMultipleField):
    """A list of ids posted as repeated fields (checkboxes rendered by the template)."""

    def pre_validate(self, form: Any) -> None:  # choices are checked by the service
        pass


class FinaliseForm(FlaskForm):
    confirm = HiddenField(validators=[DataRequired()])


class PublishForm(FlaskForm):
    summary = TextAreaField(
        "What you heard, and what you will do",
        validators=[
            DataRequired("Write a summary before you publish."),
            Length(max=20000, message="Keep it under 20,000 characters."),
        ],
        description="Write for everyone who took part. Use short sentences and plain words.",
    )


class CandidatesForm(FlaskForm):
    comments = MultiIntField(coerce=int)
    action = HiddenField()
    item = SelectField("Add to this item", coerce=int, validate_choice=False, validators=[Optional()])
    text = StringField("Wording for the new item", validators=[Optional(), Length(max=2000)])


class ItemForm(FlaskForm):
    text = TextAreaField("Wording", validators=[DataRequired("Write the wording."), Length(max=2000)])
    kind = RadioField(
        "Type", choices=[SelectChoice(k, v) for k, v in rg.KINDS.items()], validators=[DataRequired("Choose a type.")]
    )
    classification = RadioField(
        "What kind of action",
        choices=[SelectChoice("", "Not decided yet"), *(SelectChoice(k, v) for k, v in rg.CLASSIFICATIONS.items())],
        validators=[Optional()],
        validate_choice=False,
    )
    owner = StringField("Who owns it", validators=[Optional(), Length(max=200)])
    response = TextAreaField("Your response", validators=[Optional(), Length(max=2000)])
    status = RadioField(
        "Status",
        choices=[SelectChoice(k, v) for k, v in rg.STATUSES.items()],
        validators=[DataRequired("Choose a status.")],
    )
    decline_reason = TextAreaField("Why it was declined", validators=[Optional(), Length(max=2000)])


class MergeForm(FlaskForm):
    other = SelectField(
        "Merge this item with", coerce=int, validate_choice=False, validators=[DataRequired("Choose an item to merge.")]
    )


class DeleteForm(FlaskForm):
    pass
