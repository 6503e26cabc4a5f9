"""The product's fixed vocabulary: positions, values, lifecycle stages and roles.

Keys are stable (they are stored and exported); labels are what people read.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a label for translation; it is translated where it is shown."""
    return text


# The position round: "can you live with this, or do you object?"
POSITIONS: dict[str, str] = {
    "consent": N_("I can live with this"),
    "conditions": N_("I can live with this, but only if..."),
    "object": N_("I object"),
    "unsure": N_("I'm not sure, I need to know more"),
    "pass": N_("I'd rather not say"),
}
POSITION_HINTS: dict[str, str] = {
    "consent": N_("You are OK with the council trying this."),
    "conditions": N_("You are OK with it if some things are done. Tell us what they are."),
    "object": N_("You think it should not go ahead. Tell us why."),
    "unsure": N_("You can't decide yet."),
    "pass": N_("That is fine. You do not have to say."),
}

# Easy read: the same positions in as few words as possible, each with a simple picture.
POSITIONS_EASY: dict[str, str] = {
    "consent": N_("Yes, that is OK"),
    "conditions": N_("Yes, but only if..."),
    "object": N_("No"),
    "unsure": N_("Not sure"),
    "pass": N_("I won't say"),
}

# The review's four values.
VALUES: dict[str, str] = {
    "respect": N_("Respect"),
    "connect": N_("Connect"),
    "care": N_("Care"),
    "protect": N_("Protect"),
}
VALUE_HINTS: dict[str, str] = {
    "respect": N_("Treat each person with dignity. Let people make their own choices."),
    "connect": N_("Be honest and open. Include people and build trust."),
    "care": N_("Keep everyone safe and well. Do no harm."),
    "protect": N_("Be fair. Stand up to unfair treatment."),
}

# Facts of the setting an objection can cite as well as a value.
SETTING_FACTS: dict[str, str] = {
    "austerity": N_("It is about saving money, not helping"),
    "readiness": N_("The council or its staff are not ready"),
    "inequality": N_("It may be unfair to families with less money"),
}
OBJECTION_GROUNDS: dict[str, str] = {**VALUES, **SETTING_FACTS}

# The stages of an ML system's life ("can we do this right?").
LIFECYCLE: dict[str, str] = {
    "problem": N_("Deciding what problem to solve"),
    "data": N_("Choosing and collecting the data"),
    "preparing": N_("Getting the data ready"),
    "building": N_("Building and testing it"),
    "using": N_("Putting it to use"),
    "training": N_("Training the staff who use it"),
    "monitoring": N_("Checking how it works over time"),
    "changing": N_("Updating or stopping it"),
}

DEFAULT_ROLES: tuple[str, ...] = (
    N_("Family member"),
    N_("Young person"),
    N_("Foster or kinship carer"),
    N_("Social worker or practitioner"),
    N_("Manager or commissioner"),
    N_("Data or technology"),
    N_("Other"),
    N_("Rather not say"),
)
# Roles whose presence makes pre-moderation the default.
FAMILY_ROLES: frozenset[str] = frozenset({"Family member", "Young person", "Foster or kinship carer"})
NO_ROLE = "No role given"

PROMPT_TYPES: tuple[str, ...] = ("position", "scale", "choice", "values", "text")
STEP_KINDS: tuple[str, ...] = ("info", "card", "prompt")
PARTICIPATION_LEVELS: tuple[str, ...] = ("inform", "consult", "partner", "empower")

HIDE_REASONS: dict[str, str] = {
    "off_topic": "Off topic",
    "identifying": "Could identify someone",
    "abusive": "Abusive",
    "other": "Other reason",
}

# "You said, we did": what a register item's status and classification mean, for the public
# page and the receipt page (participant-facing, so translated).
PUBLIC_STATUS: dict[str, str] = {
    "open": N_("We are still working on this."),
    "agreed": N_("We have agreed to do this."),
    "done": N_("We have done this."),
    "declined": N_("We will not do this."),
}
PUBLIC_CLASS: dict[str, str] = {
    "act": N_("We can do this ourselves."),
    "influence": N_("Others need to act. We will push them to do it."),
    "monitor": N_("We will keep watch on this."),
}

# Free text limits: the phone shows them before sending.
TEXT_MAX = 500
CONDITIONS_MAX = 3
