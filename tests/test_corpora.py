import csv
import gzip
import json
import warnings

import pytest
from conftest import record, write_jsonl

from model.corpora import iter_records, load_corpus, parse_spec
from model.corpora.acled import canonical_acled_name
from model.errors import DataError, DataWarning, SpecError

ACLED_MODERN = [
    "event_id_cnty,event_date,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,"
    "assoc_actor_2,inter2,country,fatalities,notes",
    "SYR1,2023-06-02,Battles,Armed clash,Military Forces of Syria (2000-) 5th Assault Corps,"
    '"Military Forces of Russia (2000-); Civilians (Syria)",1,Islamic State (Syria),,2,Syria,3,'
    '"On 2 June 2023, regime troops fought IS cells. 3 fatalities."',
    "KEN2,2019-03-01,Protests,Peaceful protest,Protesters (Kenya),Teachers (Kenya),6,,,0,Kenya,0,"
    "Teachers marched in Nairobi.",
]
ACLED_LEGACY = [
    "EVENT_ID_CNTY,EVENT_DATE,EVENT_TYPE,ACTOR1,ALLY_ACTOR_1,INTER1,ACTOR2,ALLY_ACTOR_2,INTER2,"
    "COUNTRY,FATALITIES,NOTES",
    "IND1,15/01/2015,Riots/Protests,Rioters (India),,5,Police Forces of India (2014-),,1,India,0,"
    "A mob clashed with police.",
    "IND2,16/01/2015,Riots/Protests,Protesters (India),,6,,,0,India,0,Farmers protested.",
    "IND3,17/01/2015,Remote violence,Unidentified Armed Group (India),,3,Civilians (India),,7,"
    "India,2,A bomb went off.",
    "IND4,18/01/2015,Riots/Protests,Labour Group (India),,6,,,0,India,0,Workers gathered.",
]


def write_lines(path, lines, gz=False):
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def test_jsonl_plain_gzip_and_directory(tmp_path):
    recs = [record("a"), record("b", text="Police dispersed protesters.")]
    write_jsonl(tmp_path / "one.jsonl", recs)
    with gzip.open(tmp_path / "two.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(record("c")) + "\n")
    assert load_corpus(str(tmp_path / "one.jsonl"))["id"] == ["a", "b"]
    assert load_corpus(str(tmp_path / "two.jsonl.gz"))["id"] == ["c"]
    assert load_corpus(str(tmp_path))["id"] == ["a", "b", "c"]
    both = load_corpus([str(tmp_path / "one.jsonl"), str(tmp_path / "two.jsonl.gz")])
    assert len(both) == 3


def test_bad_jsonl_line_raises_with_file_and_line(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [record("a")], raw_lines=["{not json"])
    with pytest.raises(DataError, match=r"bad.jsonl:2: not valid JSON"):
        load_corpus(str(path))


def test_skip_reports_every_bad_row(tmp_path):
    rows = [
        record("ok1"),
        record("empty", text=""),
        record("nostr", text=None),
        record("label", event_types=["wars"]),
        record("ok2"),
    ]
    path = write_jsonl(tmp_path / "mixed.jsonl", rows, raw_lines=["[1]", "{oops"])
    problems = []
    with pytest.warns(DataWarning, match="skipped 5 bad row"):
        ds = load_corpus(str(path), on_error="skip", problems=problems)
    assert ds["id"] == ["ok1", "ok2"]
    assert sorted(p.line for p in problems) == [2, 3, 4, 6, 7]
    assert {p.field for p in problems} >= {"text", "event_types"}


def test_acled_zero_fatalities_with_injuries_leaves_casualties_unlabelled(tmp_path):
    row = (
        "BGD3,2021-05-04,Riots,Mob violence,Rioters (Bangladesh),,5,,,0,Bangladesh,0,"
        '"Two groups of villagers clashed over a pond; twelve people were wounded."'
    )
    path = write_lines(tmp_path / "acled.csv", [ACLED_MODERN[0], row])
    (rec,) = iter_records(f"acled:{path}")
    assert rec["casualties"] is None and "casualties" in rec["unlabelled"]
    assert rec["killed"] is None


@pytest.mark.parametrize(
    "note, unlabelled",
    [
        ("Militants attacked a police post; the police suffered casualties.", True),
        ("Soldiers clashed with rebels, causing many casualties.", True),
        ("Militants attacked a police post. Casualties unknown.", False),
        ("Soldiers clashed with rebels; no casualties were reported.", False),
    ],
)
def test_acled_zero_fatalities_with_casualties_named(tmp_path, note, unlabelled):
    """ACLED's zero cannot rule out the injured that "suffered casualties" may mean."""
    row = f'AFG9,2021-05-04,Battles,Armed clash,Taliban,,2,,,0,Afghanistan,0,"{note}"'
    path = write_lines(tmp_path / "acled.csv", [ACLED_MODERN[0], row])
    (rec,) = iter_records(f"acled:{path}")
    assert ("casualties" in rec["unlabelled"]) is unlabelled
    assert rec["casualties"] is (None if unlabelled else False)


def test_acled_modern_layout(tmp_path):
    path = write_lines(tmp_path / "acled.csv", ACLED_MODERN)
    recs = list(iter_records(f"acled:{path}"))
    syria, kenya = recs
    assert syria["event_types"] == ["battles"] and syria["sub_event_types"] == ["armed_clash"]
    assert [(a["name"], a["category"]) for a in syria["actors"]] == [
        ("Military Forces of Syria", "state_forces"),
        ("Military Forces of Russia", "state_forces"),
        ("Civilians", "civilians"),
        ("Islamic State", "rebel_group"),
    ]
    assert syria["killed"] == 3 and syria["casualties"] is True
    assert "injured" in syria["unlabelled"]
    assert kenya["killed"] is None and kenya["casualties"] is False
    assert [(a["name"], a["category"]) for a in kenya["actors"]] == [
        ("Protesters", "protesters"),
        ("Teachers", "protesters"),
    ]


def test_acled_legacy_layout_gzip(tmp_path):
    path = write_lines(tmp_path / "legacy.csv.gz", ACLED_LEGACY, gz=True)
    recs = list(iter_records(f"acled:{path}"))
    assert [r["event_types"] for r in recs] == [
        ["riots"],
        ["protests"],
        ["explosions_remote_violence"],
        None,
    ]
    assert recs[0]["date"] == "2015-01-15"
    assert recs[2]["killed"] == 2 and "sub_event_types" in recs[2]["unlabelled"]
    # Riots/Protests with neither protesters nor rioters: types left unlabelled, row kept.
    assert {"event_types", "sub_event_types"} <= set(recs[3]["unlabelled"])


def test_acled_bad_rows(tmp_path):
    lines = [
        ACLED_MODERN[0],
        "X1,2020-01-01,Skirmish,,A,,1,,,0,Chad,0,Something.",
        "X2,2020-01-01,Battles,Armed clash,A,,1,,,0,Chad,many,Something.",
        "X3,2020-01-01,Battles,Armed clash,A,,9,,,0,Chad,0,Something.",
    ]
    path = write_lines(tmp_path / "bad.csv", lines)
    problems = []
    with pytest.warns(DataWarning):
        assert list(iter_records(f"acled:{path}", on_error="skip", problems=problems)) == []
    messages = [str(p) for p in problems]
    assert "unknown ACLED event type 'Skirmish'" in messages[0]
    assert "whole number of fatalities, got 'many'" in messages[1]
    assert "unknown ACLED actor type code '9'" in messages[2]
    with pytest.raises(DataError, match=r"bad.csv:2, id=X1, field 'event_type'"):
        list(iter_records(f"acled:{path}"))


def test_acled_needs_notes(tmp_path):
    path = write_lines(tmp_path / "x.csv", ["a,b", "1,2"])
    with pytest.raises(DataError, match="no 'notes' column"):
        list(iter_records(f"acled:{path}"))


def test_canonical_acled_names():
    assert canonical_acled_name("Police Forces of India (2014-) Prison Guards") == (
        "Police Forces of India"
    )
    assert canonical_acled_name("Unidentified Armed Group (Syria)") == "Unidentified Armed Group"
    assert canonical_acled_name("Al Shabaab") == "Al Shabaab"


def test_ucdp_ged(tmp_path):
    path = tmp_path / "ged.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["id", "date_start", "country", "text", "type_of_violence", "side_a", "side_b", "best"]
        )
        w.writerow(
            [
                1,
                "2018-02-01",
                "Syria",
                "Shelling kills two",
                1,
                "Government of Syria",
                "Syrian insurgents",
                2,
            ]
        )
        w.writerow([2, "2018-02-02", "Syria", "IS executes civilians", 3, "IS", "Civilians", 4])
        w.writerow([3, "2018-02-03", "Syria", "Clashes", 2, "IS", "SDF, Unknown Brigade", 0])
        w.writerow([4, "2018-02-03", "Syria", "Clashes", 2, "IS", "SDF", "n/a"])
    problems = []
    with pytest.warns(DataWarning):
        recs = list(iter_records(f"ucdp:{path}", on_error="skip", problems=problems))
    assert [r["killed"] for r in recs] == [2, 4, None]
    assert recs[0]["actors"][0] == {
        "name": "Military Forces of Syria",
        "category": "state_forces",
        "mention": None,
        "start": None,
        "end": None,
    }
    assert "event_types" in recs[0]["unlabelled"]
    assert recs[1]["event_types"] == ["violence_against_civilians"]
    assert [a["name"] for a in recs[2]["actors"]] == [
        "Islamic State",
        "Syrian Democratic Forces",
        "Unknown Brigade",
    ]
    assert recs[2]["casualties"] is False
    assert "expected a whole number, got 'n/a'" in str(problems[0])


def test_csv_with_mapping(tmp_path):
    path = tmp_path / "news.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["doc", "body", "tags", "dead", "who"])
        w.writerow(
            [
                "d1",
                "Troops shelled the village.",
                "Explosions/Remote violence",
                "3",
                "Military Forces of Syria|state_forces",
            ]
        )
        w.writerow(["d2", "Markets rallied.", "", "", ""])
    recs = list(
        iter_records(f"csv:{path}#id=doc,text=body,event_types=tags,killed=dead,actors=who")
    )
    assert recs[0]["event_types"] == ["explosions_remote_violence"]
    assert recs[0]["killed"] == 3 and recs[0]["actors"][0]["category"] == "state_forces"
    assert set(recs[0]["unlabelled"]) == {"sub_event_types", "casualties", "injured"}
    assert recs[1]["event_types"] == [] and recs[1]["id"] == "d2"


def test_csv_missing_text_column(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("headline,date\nA,2020\n")
    with pytest.raises(DataError, match=r"missing column\(s\) \['text'\]; the file has"):
        list(iter_records(f"csv:{path}"))
    with pytest.raises(SpecError, match="unknown field"):
        list(iter_records(f"csv:{path}#body=headline"))
    with pytest.raises(SpecError, match="write field=column"):
        parse_spec(f"csv:{path}#text")


def test_broken_gzip(tmp_path):
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(b"this is not gzip")
    with pytest.raises(DataError, match="cannot read file"):
        list(iter_records(str(path)))


@pytest.mark.parametrize(
    "spec, message",
    [
        ("gdelt:x.csv", "unknown corpus format 'gdelt:'.*known prefixes: acled:, ucdp:, csv:"),
        ("missing.jsonl", "corpus file not found"),
        ("acled:missing.csv", "corpus file not found"),
    ],
)
def test_bad_specs(spec, message):
    with pytest.raises(SpecError, match=message):
        load_corpus(spec)


def test_plain_path_needs_jsonl(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("text\nhello\n")
    with pytest.raises(SpecError, match="cannot tell the format"):
        parse_spec(str(path))
    with pytest.raises(SpecError, match="must be a string"):
        parse_spec(3)


def test_empty_directory(tmp_path):
    with pytest.raises(DataError, match="no .jsonl"):
        list(iter_records(str(tmp_path)))


def test_no_warning_when_clean(tmp_path):
    path = write_jsonl(tmp_path / "ok.jsonl", [record("a")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(list(iter_records(str(path), on_error="skip"))) == 1
