"""How a result joins the classifier's scores to what the extractor found: the collectives
that predicted event types imply, the casualty combiner's inputs, and the count head's toll.

>>> with_implied_collectives([], ["protests"], np.array([0, 0, 0, 0.9, 0, 0]))[0]["name"]
'Protesters'
"""

from __future__ import annotations

import numpy as np

from model.labels import EVENT_TYPES

# The collective that takes part in every event of a type (codebook section 2, ACLED's
# convention): demonstrators in a protest, rioters in a riot, the unarmed victims of violence
# against civilians. When a text names none ("teachers marched", "gunmen shot a trader"), the
# collective is added without a mention, scored by the event type's probability.
IMPLIED_COLLECTIVES = {
    "protests": ("Protesters", "protesters"),
    "riots": ("Rioters", "rioters"),
    "violence_against_civilians": ("Civilians", "civilians"),
}


def with_implied_collectives(
    actors: list[dict], event_types: list[str], event_probs: np.ndarray
) -> list[dict]:
    """``actors`` plus the collective of each predicted type that names none, unmentioned."""
    names = {a["name"] for a in actors}
    out = list(actors)
    for label, (name, category) in IMPLIED_COLLECTIVES.items():
        if label in event_types and name not in names:
            p = float(event_probs[EVENT_TYPES.index(label)])
            out.append(
                {
                    "name": name,
                    "category": category,
                    "mention": None,
                    "start": None,
                    "end": None,
                    "score": round(0.5 * p, 3),
                    "rule": "implied by event type",
                }
            )
    return out


def found_count(found: dict) -> bool:
    """Whether the extractor found a count of dead or injured above zero."""
    return (found["killed"] or 0) > 0 or (found["injured"] or 0) > 0


def casualty_features(prob: float, found: dict, event_probs: np.ndarray) -> list[float]:
    """Inputs of the casualty combiner: the head's log-odds, whether the extractor found a
    death or injury reported, whether it found a count above zero, and the log-odds of the
    best event type."""

    def logit(q: float) -> float:
        q = min(max(float(q), 1e-6), 1 - 1e-6)
        return float(np.log(q / (1 - q)))

    return [
        logit(prob),
        float(bool(found.get("casualties"))),
        float(found_count(found)),
        logit(np.max(event_probs)),
    ]


def head_toll(text: str, chosen: list[dict], evidence: list[dict]) -> tuple[int, list[dict]]:
    """``killed`` from the count head's chosen numbers (``model.transformer.counts``), and
    the evidence with the sentence of each added."""
    from model.extract.text import split_sentences
    from model.transformer.counts import killed_total

    rows = list(evidence)
    for start, end in split_sentences(text):
        if any(start <= c["start"] < end for c in chosen):
            rows.append({"task": "killed", "start": start, "end": end, "text": text[start:end]})
    rows.sort(key=lambda e: (e["start"], e["task"]))
    return killed_total(chosen), rows
