import pytest
from conftest import record

from model.schema import normalise_record, validate_record


def fields(problems):
    return [p.field for p in problems]


def test_valid_record():
    rec = record(
        text="ISIS fighters attacked a checkpoint.",
        event_types=["battles"],
        sub_event_types=["armed_clash"],
        actors=[
            {
                "name": "Islamic State",
                "category": "rebel_group",
                "mention": "ISIS",
                "start": 0,
                "end": 4,
            }
        ],
        casualties=True,
        killed=3,
    )
    assert validate_record(record_ := normalise_record(rec)) == [], record_


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"text": "   "}, "text", "text is empty"),
        ({"text": 42}, "text", "expected a string, got int"),
        ({"id": ""}, "id", "non-empty string id"),
        ({"event_types": ["battle"]}, "event_types", "unknown label"),
        ({"sub_event_types": ["grenade"]}, "sub_event_types", "need their parent"),
        ({"killed": -1}, "killed", "whole number >= 0"),
        ({"killed": "five"}, "killed", "whole number >= 0"),
        ({"casualties": "yes"}, "casualties", "expected true or false"),
        ({"killed": 4}, "casualties", "set casualties to true"),
        (
            {"actors": [{"name": "X", "category": "militia"}]},
            "actors[0].category",
            "unknown category",
        ),
        (
            {
                "actors": [
                    {"name": "X", "category": "civilians", "mention": "Rob", "start": 0, "end": 3}
                ]
            },
            "actors[0]",
            "fix start/end",
        ),
        (
            {"actors": [{"name": "X", "category": "civilians", "start": 5, "end": 500}]},
            "actors[0]",
            "not inside the text",
        ),
        ({"unlabelled": ["killed"]}, "killed", "listed as unlabelled but has a value"),
    ],
)
def test_invalid_records(overrides, field, message):
    rec = record(**overrides)
    if "unlabelled" in overrides:
        rec["killed"] = 2
    problems = validate_record(rec, path="f.jsonl", line=7)
    assert field in fields(problems)
    error = next(p for p in problems if p.field == field)
    assert message in str(error)
    assert str(error).startswith(f"f.jsonl:7, id={rec['id']}")


def test_missing_task_and_unknown_key():
    rec = record()
    del rec["killed"]
    rec["colour"] = "red"
    messages = " ".join(str(p) for p in validate_record(rec))
    assert "unknown key(s) ['colour']" in messages
    assert "list the task in 'unlabelled'" in messages


def test_not_an_object():
    assert "expected a JSON object, got list" in str(validate_record([1, 2])[0])
