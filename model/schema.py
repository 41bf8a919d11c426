"""One record schema for a labelled text, and its validation.

A record is a plain dict::

    {"id": "n1-0001", "text": "...",
     "event_types": ["battles"], "sub_event_types": ["armed_clash"],
     "actors": [{"name": "Islamic State", "category": "rebel_group",
                 "mention": "ISIS", "start": 12, "end": 16}],
     "casualties": True, "killed": 5, "injured": None,
     "unlabelled": [], "source": "project-notes", "country": "Syria",
     "date": "2024-03-02", "genre": "note"}

``unlabelled`` names the tasks the source does not annotate (ACLED codes no injuries, UCDP
no sub-event types); their fields hold ``None`` and every head trains only on rows that
carry its labels. For a labelled ``killed``/``injured``, ``None`` means the text gives no
number.
"""

from __future__ import annotations

from model.errors import DataError
from model.labels import ACTOR_CATEGORIES, EVENT_TYPES, PARENT, SUB_EVENT_TYPES

TASKS: tuple[str, ...] = (
    "event_types",
    "sub_event_types",
    "actors",
    "casualties",
    "killed",
    "injured",
)
METADATA: tuple[str, ...] = ("source", "country", "date", "genre")
FIELDS: tuple[str, ...] = ("id", "text", *TASKS, "unlabelled", *METADATA)
ACTOR_FIELDS: tuple[str, ...] = ("name", "category", "mention", "start", "end")


def arrow_features():
    """The Arrow schema of a record (``datasets.Features``); imported only where needed, so
    loading a model does not pull in ``datasets``."""
    import datasets

    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "text": datasets.Value("string"),
            "event_types": datasets.List(datasets.Value("string")),
            "sub_event_types": datasets.List(datasets.Value("string")),
            "actors": datasets.List(
                {
                    "name": datasets.Value("string"),
                    "category": datasets.Value("string"),
                    "mention": datasets.Value("string"),
                    "start": datasets.Value("int32"),
                    "end": datasets.Value("int32"),
                }
            ),
            "casualties": datasets.Value("bool"),
            "killed": datasets.Value("int64"),
            "injured": datasets.Value("int64"),
            "unlabelled": datasets.List(datasets.Value("string")),
            "source": datasets.Value("string"),
            "country": datasets.Value("string"),
            "date": datasets.Value("string"),
            "genre": datasets.Value("string"),
        }
    )


_HOW_TO_FIX_LABEL = "use a codebook name (see CODEBOOK.md and model/labels.py)"


def is_labelled(record: dict, task: str) -> bool:
    """Whether ``record`` carries labels for ``task`` (one of ``TASKS``)."""
    return task not in (record.get("unlabelled") or ())


def _check_label_list(
    record: dict, field: str, allowed: tuple[str, ...], where: dict
) -> list[DataError]:
    value = record[field]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [DataError(f"expected a list of strings, got {value!r}", field=field, **where)]
    unknown = [v for v in value if v not in allowed]
    if unknown:
        return [
            DataError(
                f"unknown label(s) {unknown}; {_HOW_TO_FIX_LABEL}. Allowed: {', '.join(allowed)}",
                field=field,
                **where,
            )
        ]
    return []


def _check_count(record: dict, field: str, where: dict) -> list[DataError]:
    value = record[field]
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return [
            DataError(f"expected a whole number >= 0 or null, got {value!r}", field=field, **where)
        ]
    return []


def _check_actors(record: dict, where: dict) -> list[DataError]:
    actors = record["actors"]
    if not isinstance(actors, list):
        return [DataError(f"expected a list of actors, got {actors!r}", field="actors", **where)]
    problems = []
    text = record["text"]
    for i, actor in enumerate(actors):
        field = f"actors[{i}]"
        if not isinstance(actor, dict):
            problems.append(DataError(f"expected an object, got {actor!r}", field=field, **where))
            continue
        unknown = set(actor) - set(ACTOR_FIELDS) - {"score"}
        if unknown:
            problems.append(
                DataError(
                    f"unknown key(s) {sorted(unknown)}; known: {', '.join(ACTOR_FIELDS)}",
                    field=field,
                    **where,
                )
            )
        if not isinstance(actor.get("name"), str) or not actor["name"].strip():
            problems.append(DataError("actor needs a non-empty 'name'", field=field, **where))
        if actor.get("category") not in ACTOR_CATEGORIES:
            problems.append(
                DataError(
                    f"unknown category {actor.get('category')!r}; allowed: "
                    f"{', '.join(ACTOR_CATEGORIES)}",
                    field=f"{field}.category",
                    **where,
                )
            )
        start, end, mention = actor.get("start"), actor.get("end"), actor.get("mention")
        if start is None and end is None:
            continue
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            problems.append(
                DataError(
                    f"span {start}:{end} is not inside the text (length {len(text)})",
                    field=field,
                    **where,
                )
            )
        elif mention is not None and text[start:end] != mention:
            problems.append(
                DataError(
                    f"span {start}:{end} reads {text[start:end]!r} but mention is {mention!r}; "
                    "fix start/end so that text[start:end] == mention",
                    field=field,
                    **where,
                )
            )
    return problems


def validate_record(
    record: object, *, path: str | None = None, line: int | None = None
) -> list[DataError]:
    """All problems with one record, as ``DataError``s naming file, line, id and field.

    An empty list means the record is valid.

    >>> validate_record({"id": "x", "text": ""})[0].field
    'text'
    """
    if not isinstance(record, dict):
        return [
            DataError(f"expected a JSON object, got {type(record).__name__}", path=path, line=line)
        ]
    rid = record.get("id")
    where = {"path": path, "line": line, "record_id": None if rid is None else str(rid)}
    problems: list[DataError] = []
    unknown = set(record) - set(FIELDS)
    if unknown:
        problems.append(
            DataError(f"unknown key(s) {sorted(unknown)}; known: {', '.join(FIELDS)}", **where)
        )
    if not isinstance(rid, str) or not rid:
        problems.append(
            DataError(f"expected a non-empty string id, got {rid!r}", field="id", **where)
        )
    text = record.get("text")
    if not isinstance(text, str):
        problems.append(
            DataError(f"expected a string, got {type(text).__name__}", field="text", **where)
        )
        return problems
    if not text.strip():
        problems.append(
            DataError("text is empty; remove the record or fill it", field="text", **where)
        )
    unlabelled = record.get("unlabelled") or []
    bad_tasks = [t for t in unlabelled if t not in TASKS]
    if bad_tasks:
        problems.append(
            DataError(
                f"unknown task(s) {bad_tasks}; known: {', '.join(TASKS)}",
                field="unlabelled",
                **where,
            )
        )
    for task in TASKS:
        if task in unlabelled:
            if record.get(task) is not None:
                problems.append(
                    DataError("task is listed as unlabelled but has a value", field=task, **where)
                )
            continue
        if task not in record:
            problems.append(
                DataError(
                    "missing; give a value, or list the task in 'unlabelled'", field=task, **where
                )
            )
    if problems:
        return problems
    if is_labelled(record, "event_types"):
        problems += _check_label_list(record, "event_types", EVENT_TYPES, where)
    if is_labelled(record, "sub_event_types"):
        problems += _check_label_list(record, "sub_event_types", SUB_EVENT_TYPES, where)
        if not problems and is_labelled(record, "event_types"):
            orphans = [
                s for s in record["sub_event_types"] if PARENT[s] not in record["event_types"]
            ]
            if orphans:
                problems.append(
                    DataError(
                        f"sub-event type(s) {orphans} need their parent(s) "
                        f"{sorted({PARENT[s] for s in orphans})} in event_types",
                        field="sub_event_types",
                        **where,
                    )
                )
    if is_labelled(record, "actors"):
        problems += _check_actors(record, where)
    if is_labelled(record, "casualties") and not isinstance(record["casualties"], bool):
        problems.append(
            DataError(
                f"expected true or false, got {record['casualties']!r}", field="casualties", **where
            )
        )
    for field in ("killed", "injured"):
        if is_labelled(record, field):
            problems += _check_count(record, field, where)
    if (
        not problems
        and record.get("casualties") is False
        and any((record.get(f) or 0) > 0 for f in ("killed", "injured"))
    ):
        problems.append(
            DataError(
                "killed/injured above 0 but casualties is false; set casualties to true",
                field="casualties",
                **where,
            )
        )
    for field in METADATA:
        value = record.get(field)
        if value is not None and not isinstance(value, str):
            problems.append(
                DataError(f"expected a string or null, got {value!r}", field=field, **where)
            )
    return problems


def normalise_record(record: dict) -> dict:
    """A record with every schema field present (``None`` where absent), in schema order."""
    out = {field: record.get(field) for field in FIELDS}
    out["unlabelled"] = list(record.get("unlabelled") or [])
    if out["actors"] is not None:
        out["actors"] = [{k: actor.get(k) for k in ACTOR_FIELDS} for actor in out["actors"]]
    return out
