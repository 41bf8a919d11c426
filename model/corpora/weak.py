"""Weak labels for unlabelled news: ``weak:PATH`` turns articles into labelled sentences.

The labelled notes we train on hold few air strikes, shelling or bombings (the shared ACLED
extract has almost none outside South Asia), while news from Syria, Yemen or Ukraine is full
of them; a model trained on the notes alone codes "airstrikes killed 18 militants" as a
battle. Labelling functions written from the codebook find the sentences of unlabelled
articles that report one remote-violence event and nothing else, and label them:

- event type ``explosions_remote_violence``, every other event type absent;
- sub-event type from the weapon: air or drone strike, shelling/artillery/missile attack,
  remote explosive/landmine/IED, suicide bomb;
- casualties true where the casualty extractor counts someone killed or injured in the
  sentence, false where it reads that nobody was, and unlabelled otherwise; actors and counts
  unlabelled (the heads for them skip these rows). The casualty head, trained on notes whose
  coders mark "casualties unknown", learns from these how war news reports its dead.

A sentence is left out when it also reports ground fighting (clashes, gunfire, an offensive),
when it is not a report of something that happened (denials, threats, warnings, talks), when
it names no effect (killed, hit, destroyed ...), or when it is riot or policing language that
the codebook codes otherwise (tear-gas shells, crude bombs, petrol bombs). Sentences repeated
across articles are kept once. On the ACLED notes of the bench's training countries, 89% of
the notes these rules label are coded explosions/remote violence by ACLED
(``tests/test_weak.py`` pins the rules; README "Training" says how to use them).

``weak:PATH`` reads a CSV or JSONL file (optionally gzip) with a ``text`` column; map other
columns as in ``csv:``, e.g. ``weak:articles.csv#text=body,id=doc_id,country=place``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from model.corpora import jsonl
from model.corpora._io import iter_csv
from model.errors import DataError, SpecError
from model.extract.casualties import extract_casualties
from model.passages import sentence_spans

EVENT_TYPE = "explosions_remote_violence"
OPTIONS = ("text", "id", "country", "date")

_AIR = (
    r"air ?strikes?|air ?raids?|air attacks?|war ?planes?|fighter jets?|helicopter gunships?|"
    r"jets? (?:bombed|struck|pounded|hit|targeted)|barrel bombs?|drone strikes?|drone attacks?|"
    r"aerial (?:bombardment|bombing|attacks?)|bombed by (?:aircraft|planes)"
)
_SHELL = (
    r"\bshell(?:ing|ed|s)?\b|artillery|mortars?|rockets?|missiles?|bombard(?:ment|ed|ing)|"
    r"\bgrad\b|cannon fire|katyusha"
)
_IED = (
    r"(?:car|truck|roadside|motorcycle|bicycle) bombs?|improvised explosive|\bieds?\b|"
    r"land ?mines?|explosive devices?|booby.trap|\bvbied|bomb blast|bomb exploded|explosion|"
    r"blast"
)
_SUICIDE = r"suicide (?:bomb(?:er|ing)?s?|attacks?|car)|blew (?:himself|herself|themselves) up"
# Ground fighting: the sentence may be a battle with shelling in it.
_GROUND = (
    r"firing|exchanged fire|exchange of fire|clash|fight|battle|gunfight|firefight|ambush|"
    r"gunmen|opened fire|shot|assault|storm|offensive|advance|captur|seiz|took control|"
    r"infiltrat|attack(?:ed|s)? (?:on )?(?:positions|checkpoints?)"
)
# Something happened to someone or something.
_EFFECT = (
    r"kill|dead|died|wound|injur|destroy|damag|hit|struck|target|pound|casualt|martyr|lives|"
    r"bodies|explod|detonat|launched|fired|rained"
)
# Not a report of a remote-violence event: claims, threats, talks; or riot and policing
# language the codebook codes as riots, protests or arrests.
_NOT_EVENT = (
    r"\b(?:tear ?gas|crude bombs?|cocktails?|petrol bombs?|molotov|protest\w*|procession|"
    r"demonstrat\w*|rally|defus\w*|arrest\w*|displaced|forced to leave|found dead|denied|deny|"
    r"denies|alleged|accus\w*|claim(?:s|ed)? that|would|will|could|may|might|if|threat\w*|"
    r"warn\w*|condemn\w*|call(?:ed|s)? for|urged|agreement|ceasefire|truce|talks)\b"
)
_RE = {
    name: re.compile(pattern, re.I)
    for name, pattern in (
        ("air", _AIR),
        ("shell", _SHELL),
        ("ied", _IED),
        ("suicide", _SUICIDE),
        ("ground", _GROUND),
        ("effect", _EFFECT),
        ("not_event", _NOT_EVENT),
    )
}
_SUB_EVENT = {
    "air": "air_drone_strike",
    "shell": "shelling_artillery_missile_attack",
    "ied": "remote_explosive_landmine_ied",
}


def remote_violence_sub_event(sentence: str) -> str | None:
    """The sub-event type of a sentence that reports one remote-violence event and no ground
    fighting, or None when the rules do not label it.

    >>> remote_violence_sub_event("Airstrikes killed six civilians in Saraqeb.")
    'air_drone_strike'
    >>> remote_violence_sub_event("Rebels clashed with troops under heavy shelling.") is None
    True
    """
    if (
        _RE["ground"].search(sentence)
        or _RE["not_event"].search(sentence)
        or not _RE["effect"].search(sentence)
    ):
        return None
    if _RE["suicide"].search(sentence):
        return "suicide_bomb"
    hits = [k for k in ("air", "shell", "ied") if _RE[k].search(sentence)]
    if not hits:
        return None
    # Aircraft with bombs or missiles are still air strikes; an exploding shell is shelling.
    air_with_missiles = hits == ["air", "shell"]
    exploding_shell = hits == ["shell", "ied"] and re.search(r"\bshell", sentence, re.I)
    if len(hits) == 1 or air_with_missiles or exploding_shell:
        return _SUB_EVENT[hits[0]]
    return None


# Any weapon of remote violence, however it is used; broader than the labelling rules.
_ANY_REMOTE = re.compile(
    rf"{_AIR}|{_SHELL}|{_IED}|{_SUICIDE}|\bbomb|\bmines?\b|grenade|drones?\b|aircraft|helicopters?|"
    r"\bjets?\b|explosi",
    re.I,
)


def mentions_remote_violence(text: str) -> bool:
    """Whether ``text`` names a weapon of remote violence (air strike, shelling, a bomb, a
    mine, a grenade), whatever role it plays in the text.

    >>> mentions_remote_violence("Troops shelled the village before storming it.")
    True
    >>> mentions_remote_violence("Gunmen shot dead a soldier at a checkpoint.")
    False
    """
    return bool(_ANY_REMOTE.search(text))


def label_article(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sub-event type) of each sentence of ``text`` the rules label."""
    out = []
    for start, end in sentence_spans(text):
        sub = remote_violence_sub_event(text[start:end])
        if sub:
            out.append((start, end, sub))
    return out


def _rows(path: Path, text_column: str) -> Iterator[tuple[int, dict | DataError]]:
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        for _, line, row in jsonl.read(path, {}):
            if isinstance(row, dict):
                row = {str(k).lower(): v for k, v in row.items()}
            yield line, row
        return
    if name.endswith((".csv", ".csv.gz")):
        yield from iter_csv(path, required=(text_column,))
        return
    raise SpecError(f"weak:{path} must be a .csv, .csv.gz, .jsonl or .jsonl.gz file of articles")


def read(path: Path, options: dict[str, str]) -> Iterator[tuple[str, int, dict | DataError]]:
    """Yield (file, line, record) for each labelled sentence of each article."""
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise SpecError(
            f"unknown field(s) {sorted(unknown)} in weak:{path}; known: {', '.join(OPTIONS)}"
        )
    column = {f: options.get(f, f).lower() for f in OPTIONS}
    file, seen = str(path), set()
    for line, row in _rows(path, column["text"]):
        if isinstance(row, DataError):
            yield file, line, row
            continue
        text = row.get(column["text"])
        doc_id = str(row.get(column["id"]) or f"row-{line}")
        if not isinstance(text, str):
            where = {"path": file, "line": line, "record_id": doc_id, "field": "text"}
            yield file, line, DataError(f"text must be a string, got {text!r:.40}", **where)
            continue
        for start, end, sub in label_article(text):
            sentence = text[start:end]
            key = " ".join(sentence.lower().split())
            if key in seen:
                continue
            seen.add(key)
            found = extract_casualties(sentence)
            counted = {found["killed"], found["injured"]} - {None}
            casualties = any(counted) if counted else None
            record = {
                "id": f"{doc_id}@{start}",
                "text": sentence,
                "event_types": [EVENT_TYPE],
                "sub_event_types": [sub],
                "casualties": casualties,
                "unlabelled": ["actors", "killed", "injured"]
                + (["casualties"] if casualties is None else []),
                "source": f"weak:{path.name.split('.')[0]}",
                "country": str(row.get(column["country"]) or "") or None,
                "date": str(row.get(column["date"]) or "") or None,
                "genre": "sentence",
            }
            yield file, line, record
