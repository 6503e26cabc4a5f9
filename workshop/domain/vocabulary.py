"""The product's fixed vocabulary: positions, values, lifecycle stages and roles.

Keys are stable (they are stored and exported); labels are what people read.
"""

from __future__ import annotations

# The position round: "can you live with this, or do you object?"
POSITIONS: dict[str, str] = {
    "consent": "I can live with this",
    "conditions": "I can live with this, but only if...",
    "object": "I object",
    "unsure": "I'm not sure, I need to know more",
    "pass": "I'd rather not say",
}
POSITION_HINTS: dict[str, str] = {
    "consent": "You are OK with the council trying this.",
    "conditions": "You are OK with it if some things are done. Tell us what they are.",
    "object": "You think it should not go ahead. Tell us why.",
    "unsure": "You can't decide yet.",
    "pass": "That is fine. You do not have to say.",
}

# The review's four values.
VALUES: dict[str, str] = {
    "respect": "Respect",
    "connect": "Connect",
    "care": "Care",
    "protect": "Protect",
}
VALUE_HINTS: dict[str, str] = {
    "respect": "Treat each person with dignity. Let people make their own choices.",
    "connect": "Be honest and open. Include people and build trust.",
    "care": "Look after everyone's wellbeing. Avoid harm.",
    "protect": "Be fair. Stand up to unfair treatment.",
}

# Facts of the setting an objection can cite as well as a value.
SETTING_FACTS: dict[str, str] = {
    "austerity": "It is about saving money, not helping",
    "readiness": "The council or its staff are not ready",
    "inequality": "It could treat poorer families unfairly",
}
OBJECTION_GROUNDS: dict[str, str] = {**VALUES, **SETTING_FACTS}

# The stages of an ML system's life ("can we do this right?").
LIFECYCLE: dict[str, str] = {
    "problem": "Deciding what problem to solve",
    "data": "Choosing and collecting the data",
    "preparing": "Getting the data ready",
    "building": "Building and testing it",
    "using": "Putting it to use",
    "training": "Training the staff who use it",
    "monitoring": "Checking how it works over time",
    "changing": "Updating or stopping it",
}

DEFAULT_ROLES: tuple[str, ...] = (
    "Family member",
    "Young person",
    "Foster or kinship carer",
    "Social worker or practitioner",
    "Manager or commissioner",
    "Data or technology",
    "Other",
    "Rather not say",
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

# Free text limits: the phone shows them before sending.
TEXT_MAX = 500
CONDITIONS_MAX = 3
