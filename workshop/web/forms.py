"""WTForms for every POST (CSRF on all of them, plain-English messages), and reading a posted answer."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.packs import CARD_FIELDS, CARD_OPTIONAL

# Answer fields a phone may post more than once (checkboxes).
MULTI_FIELDS = {"choices", "values", "conditions"}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter your name."), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=200)])


class LogoutForm(FlaskForm):
    pass


class ConsultationForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the consultation a title."), Length(max=200)],
        description='For example "Riverside Council: predictive tools in early help".',
    )
    organisation = StringField(
        "Who is running it",
        validators=[Optional(), Length(max=200)],
        description="Shown to participants when they join.",
    )
    description = TextAreaField(
        "What it is about",
        validators=[Optional(), Length(max=4000)],
        description="Shown to participants when they join. Keep it short and plain.",
    )
    k_threshold = IntegerField(
        "Smallest group shown",
        default=5,
        validators=[InputRequired("Enter a number."), NumberRange(2, 50, "Use a number from 2 to 50.")],
        description="Groups of people smaller than this are never shown on their own.",
    )
    retention_days = IntegerField(
        "Keep raw answers for (days)",
        default=365,
        validators=[InputRequired("Enter a number."), NumberRange(1, 3650, "Use a number from 1 to 3650.")],
        description="After this, raw answers are deleted. The summary record is kept.",
    )
    public_outcome = BooleanField("Anyone with the public link can see the published outcome")
    keep_comments_after_retention = BooleanField(
        "Keep approved comments after the raw answers are deleted",
        description=(
            "If you leave this off, all written comments are removed from the record when raw answers are deleted. "
            "If you tick it, approved comments stay, but only if they pass a new check for personal details. "
            "The record says which you chose. You cannot change this once the record is finalised."
        ),
    )


class UseCaseForm(FlaskForm):
    pass


_CARD_LIMITS = {"title": 200}
for _name, _label in CARD_FIELDS.items():
    _validators = [Optional()] if _name in CARD_OPTIONAL else [DataRequired(f"Fill in '{_label}'.")]
    _validators.append(Length(max=_CARD_LIMITS.get(_name, 2000)))
    _field = (StringField if _name == "title" else TextAreaField)(_label, validators=_validators)
    setattr(UseCaseForm, _name, _field)


class CopyCardForm(FlaskForm):
    card = HiddenField(validators=[DataRequired()])


class ArchiveForm(FlaskForm):
    archived = HiddenField()


class MemberForm(FlaskForm):
    name = StringField("Facilitator's name", validators=[DataRequired("Enter a facilitator's name."), Length(max=80)])


class WorkshopForm(FlaskForm):
    title = StringField(
        "Workshop name",
        validators=[DataRequired("Give the workshop a name."), Length(max=200)],
        description='For example "Parents\' evening, 12 March".',
    )
    pack = RadioField("Workshop plan (pack)", validators=[InputRequired("Choose a pack.")])
    use_cases = MultiCheckboxField(
        "Use cases to discuss, in this order", coerce=int, validators=[DataRequired("Choose at least one use case.")]
    )
    roles = TextAreaField("Roles people can choose (one a line)", validators=[Optional(), Length(max=2000)])
    moderation = SelectField(
        "Check comments",
        choices=[
            SelectChoice("auto", "Choose for me (before showing if families take part)"),
            SelectChoice("pre", "Before they are shown"),
            SelectChoice("post", "After they are shown"),
        ],
    )

    protection = RadioField(
        "How people prove they may join",
        choices=[
            SelectChoice("presence", "A number on the big screen that changes every minute (a room)"),
            SelectChoice("invitation", "Single-use invitation cards (a self-paced round)"),
            SelectChoice("open", "No check: anyone with the join code (not recommended)"),
        ],
        default="presence",
        validators=[Optional()],
    )


class WorkshopSettingsForm(FlaskForm):
    title = StringField("Workshop name", validators=[DataRequired("Give the workshop a name."), Length(max=200)])
    roles = TextAreaField("Roles people can choose (one a line)", validators=[Optional(), Length(max=2000)])
    moderation = SelectField(
        "Check comments",
        choices=[SelectChoice("pre", "Before they are shown"), SelectChoice("post", "After they are shown")],
    )
    redaction_names = TextAreaField(
        "Names to hide (one a line)",
        validators=[Optional(), Length(max=8000)],
        description="Names, schools, streets, numbers and other personal details are found without this list. "
        "Add any that may come up, especially unusual names and nicknames: they are replaced with [name] "
        "before anyone sees a comment.",
    )
    safeguarding_phrases = TextAreaField(
        "Extra safeguarding phrases (one a line)", validators=[Optional(), Length(max=8000)]
    )


class ControlForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    argument = HiddenField()


class CodeForm(FlaskForm):
    code = StringField("Workshop code", validators=[DataRequired("Enter the code on the screen."), Length(max=20)])


class ConsentForm(FlaskForm):
    language = HiddenField()


class RoleForm(FlaskForm):
    role = RadioField("Which of these best describes you?", validators=[Optional()], validate_choice=False)


class ReceiptForm(FlaskForm):
    receipt = StringField("Your receipt code", validators=[DataRequired("Enter your receipt code."), Length(max=30)])


def payload_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """Turn a posted answer form into the same payload the phone's script sends."""
    payload: dict[str, Any] = {}
    for key in ("position", "reason", "ground", "scale", "text", "choices", "values", "conditions"):
        if key in MULTI_FIELDS:
            values = form.getlist(key)
            if values:
                payload[key] = values
        elif key in form:
            payload[key] = form.get(key)
    return payload


class RoomForm(FlaskForm):
    """How people prove they may join, and how many are expected and allowed in."""

    protection = RadioField(
        "How people prove they may join",
        choices=[
            SelectChoice("presence", "A number on the big screen that changes every minute (a room)"),
            SelectChoice("invitation", "Single-use invitation cards (a self-paced round)"),
            SelectChoice("open", "No check: anyone with the join code (not recommended)"),
        ],
        validators=[InputRequired("Choose how people prove they may join.")],
    )
    expected = IntegerField(
        "How many people you expect",
        validators=[Optional(), NumberRange(1, 100_000, "Use a number from 1 to 100000.")],
    )
    cap = IntegerField(
        "Most phones allowed to join",
        validators=[Optional(), NumberRange(1, 100_000, "Use a number from 1 to 100000.")],
        description="Leave empty for a tenth more than you expect. Past this, new phones wait until you let more in.",
    )


class RaiseCapForm(FlaskForm):
    by = IntegerField(
        "More people", validators=[InputRequired("Enter a number."), NumberRange(1, 1000, "Use 1 to 1000.")]
    )


class VoidForm(FlaskForm):
    start = StringField(
        "From (hh:mm:ss)", validators=[DataRequired("Enter when the joins to void began."), Length(max=8)]
    )
    end = StringField("To (hh:mm:ss)", validators=[DataRequired("Enter when the joins to void ended."), Length(max=8)])
    reason = TextAreaField(
        "Why you are voiding these joins (kept in the record)",
        validators=[DataRequired("Say why. The reason goes into the record."), Length(max=300)],
    )
    confirm = HiddenField()


class InvitationsForm(FlaskForm):
    count = IntegerField(
        "How many invitation cards", validators=[InputRequired("Enter a number."), NumberRange(1, 200, "Use 1 to 200.")]
    )
