"""Label spaces of the codebook (``../shared/CODEBOOK.md``), in one place.

Event types, sub-event types (each knowing its parent), actor categories, and the
mappings from ACLED's own spellings, current and pre-2019, to the codebook names.

>>> parent_of("air_drone_strike")
'explosions_remote_violence'
>>> acled_event_type("Battle-No change of territory")
('battles', 'armed_clash')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from model.errors import LabelError

SUB_EVENT_TYPES_BY_TYPE: dict[str, tuple[str, ...]] = {
    "battles": (
        "armed_clash",
        "government_regains_territory",
        "non_state_actor_overtakes_territory",
    ),
    "explosions_remote_violence": (
        "air_drone_strike",
        "shelling_artillery_missile_attack",
        "remote_explosive_landmine_ied",
        "suicide_bomb",
        "grenade",
        "chemical_weapon",
    ),
    "violence_against_civilians": (
        "attack",
        "abduction_forced_disappearance",
        "sexual_violence",
    ),
    "protests": (
        "peaceful_protest",
        "protest_with_intervention",
        "excessive_force_against_protesters",
    ),
    "riots": ("violent_demonstration", "mob_violence"),
    "strategic_developments": (
        "agreement",
        "arrests",
        "change_to_group_activity",
        "disrupted_weapons_use",
        "headquarters_or_base_established",
        "looting_property_destruction",
        "non_violent_transfer_of_territory",
        "other",
    ),
}

EVENT_TYPES: tuple[str, ...] = tuple(SUB_EVENT_TYPES_BY_TYPE)
SUB_EVENT_TYPES: tuple[str, ...] = tuple(
    s for subs in SUB_EVENT_TYPES_BY_TYPE.values() for s in subs
)
PARENT: dict[str, str] = {s: e for e, subs in SUB_EVENT_TYPES_BY_TYPE.items() for s in subs}

ACTOR_CATEGORIES: tuple[str, ...] = (
    "state_forces",
    "rebel_group",
    "political_militia",
    "identity_militia",
    "rioters",
    "protesters",
    "civilians",
    "external_other_forces",
)

# ACLED's ``inter1``/``inter2`` codes; 0 means "no actor".
INTER_CODE_TO_CATEGORY: dict[int, str] = {i + 1: c for i, c in enumerate(ACTOR_CATEGORIES)}

# UCDP GED ``type_of_violence``. Only one-sided violence (3) maps soundly onto one codebook
# type: UCDP's state-based (1) and non-state (2) events are battles, shelling, air strikes or
# bombings alike, so we leave their event types unlabelled rather than guess.
UCDP_VIOLENCE_TO_EVENT_TYPE: dict[int, str] = {3: "violence_against_civilians"}


@dataclass(frozen=True)
class LabelSpace:
    """An ordered label list for one head, e.g. ``LabelSpace("event_types", EVENT_TYPES)``."""

    task: str
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(set(self.labels)) != len(self.labels):
            raise LabelError(f"label space {self.task!r} has duplicate labels: {self.labels}")

    def __len__(self) -> int:
        return len(self.labels)

    def index(self, label: str) -> int:
        try:
            return self.labels.index(label)
        except ValueError:
            raise LabelError(
                f"unknown {self.task} label {label!r}; known: {', '.join(self.labels)}"
            ) from None


LABEL_SPACES: dict[str, LabelSpace] = {
    "event_types": LabelSpace("event_types", EVENT_TYPES),
    "sub_event_types": LabelSpace("sub_event_types", SUB_EVENT_TYPES),
    "actor_categories": LabelSpace("actor_categories", ACTOR_CATEGORIES),
}


def parent_of(sub_event_type: str) -> str:
    """The event type a sub-event type belongs to."""
    try:
        return PARENT[sub_event_type]
    except KeyError:
        raise LabelError(
            f"unknown sub-event type {sub_event_type!r}; known: {', '.join(SUB_EVENT_TYPES)}"
        ) from None


def normalise_acled_name(name: str) -> str:
    """ACLED spelling to codebook spelling: lower-case; spaces, ``/`` and ``-`` to ``_``.

    >>> normalise_acled_name("Explosions/Remote violence")
    'explosions_remote_violence'
    """
    return re.sub(r"[\s/\-]+", "_", name.strip().lower().replace("(s)", "s"))


# Pre-2019 ACLED event types: name -> (event type, sub-event type or None).
_LEGACY_EVENT_TYPES: dict[str, tuple[str, str | None]] = {
    "battle_no_change_of_territory": ("battles", "armed_clash"),
    "battle_government_regains_territory": ("battles", "government_regains_territory"),
    "battle_non_state_actor_overtakes_territory": (
        "battles",
        "non_state_actor_overtakes_territory",
    ),
    "battle_non_state_actors_overtake_territory": (
        "battles",
        "non_state_actor_overtakes_territory",
    ),
    "remote_violence": ("explosions_remote_violence", None),
    "strategic_development": ("strategic_developments", None),
    "non_violent_transfer_of_territory": (
        "strategic_developments",
        "non_violent_transfer_of_territory",
    ),
    "violence_against_civilians": ("violence_against_civilians", None),
}


def acled_event_type(
    event_type: str, sub_event_type: str | None = None, actor1: str | None = None
) -> tuple[str, str | None]:
    """Map an ACLED event type (current or pre-2019) and sub-event type to codebook names.

    The pre-2019 ``Riots/Protests`` type splits by actor1: protesters give ``protests``,
    rioters give ``riots``; anything else is an error naming the value.

    >>> acled_event_type("Riots/Protests", actor1="Rioters (Kenya)")
    ('riots', None)
    """
    key = normalise_acled_name(event_type)
    sub = normalise_acled_name(sub_event_type) if sub_event_type else None
    if sub is not None and sub not in PARENT:
        raise LabelError(
            f"unknown ACLED sub-event type {sub_event_type!r}; "
            f"known: {', '.join(SUB_EVENT_TYPES)} (in ACLED spelling)"
        )
    if key in SUB_EVENT_TYPES_BY_TYPE:
        return key, sub
    if key == "riots_protests":
        who = (actor1 or "").strip().lower()
        if who.startswith("protester"):
            return "protests", sub
        if who.startswith("rioter"):
            return "riots", sub
        raise LabelError(
            f"ACLED 'Riots/Protests' row with actor1 {actor1!r}: cannot tell protests from "
            "riots; actor1 must start with 'Protesters' or 'Rioters'"
        )
    if key in _LEGACY_EVENT_TYPES:
        mapped, legacy_sub = _LEGACY_EVENT_TYPES[key]
        return mapped, sub or legacy_sub
    raise LabelError(
        f"unknown ACLED event type {event_type!r}; known: {', '.join(EVENT_TYPES)} and the "
        f"pre-2019 names {', '.join(sorted(_LEGACY_EVENT_TYPES))}, riots_protests"
    )
