"""The milestone registry: content, validation of every kind of bad row, merging and filters."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import toolkit
from toolkit import milestones as M

HEADER = "date,title,category,actors,source_url,confidence\n"
GOOD = "2026-03-01,My event,statement,RUS;KOR,https://example.org/a,confirmed\n"


def write(tmp_path: Path, text: str, name: str = "mine.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_registry_has_the_required_milestones():
    ms = toolkit.load_milestones()
    assert len(ms) >= 35
    assert ms["date"].dtype == "datetime64[ns]"
    assert ms["date"].is_monotonic_increasing
    assert ms["date"].min() >= pd.Timestamp("2017-01-01")
    assert ms["date"].max() <= pd.Timestamp("2026-12-31")
    assert ms["id"].is_unique
    assert set(ms["category"]) <= set(M.CATEGORIES)
    assert set(ms["confidence"]) <= set(M.CONFIDENCE)
    assert ms["source_url"].str.match(r"^https?://").all()
    assert (ms["short"].str.len() <= M.SHORT_MAX).all()
    by_id = ms.set_index("id")["date"].dt.strftime("%Y-%m-%d").to_dict()
    required = {
        "invasion": "2022-02-24", "rok-sanctions": "2022-02-28",
        "unfriendly-list": "2022-03-07", "shells-report-2022": "2022-11-10",
        "shells-loan-2023": "2023-04-12", "summit-2019": "2019-04-25",
        "summit-2023": "2023-09-13", "treaty-2024": "2024-06-19",
        "treaty-in-force": "2024-12-04", "troops-2024": "2024-10-18",
        "troops-acknowledged-rus": "2025-04-26", "troops-acknowledged-prk": "2025-04-28",
        "purl-launch": "2025-07-14", "purl-consultations": "2026-02-20",
        "purl-asymmetric-warning": "2026-02-21",
    }
    assert {k: by_id.get(k) for k in required} == required


def test_registry_ids_match_the_demo_planted_effects():
    from toolkit.sources.demo import cube as demo

    ms = toolkit.load_milestones()
    have = set(zip(ms["id"], ms["date"].dt.strftime("%Y-%m-%d"), strict=True))
    planted = {(e["name"], e["date"]) for e in demo.PLANTED_EFFECTS}
    assert planted <= have, planted - have


def test_registry_keeps_the_facts_of_the_research_notes(reference_dir):
    """Every row of milestones-research.md is in the CSV with the same date, URL and actors."""
    text = (reference_dir / "milestones-research.md").read_text(encoding="utf-8")
    rows = [r for r in text.splitlines() if re.match(r"^\| \d{4}-\d{2}-\d{2} \|", r)]
    assert len(rows) == 40
    ms = toolkit.load_milestones()
    have = {(f"{d:%Y-%m-%d}", u): a for d, u, a in zip(ms["date"], ms["source_url"],
                                                       ms["actors"], strict=True)}
    for r in rows:
        cells = [c.strip() for c in r.strip("|").split("|")]
        date, actors, url = cells[0], cells[2], cells[4]
        assert (date, url) in have, f"missing {date} {url}"
        assert have[(date, url)] == actors.replace("/", ";")


def test_user_file_is_merged_with_the_registry(tmp_path):
    p = write(tmp_path, HEADER + GOOD)
    base = toolkit.load_milestones()
    ms = toolkit.load_milestones(extra=p)
    assert len(ms) == len(base) + 1
    mine = ms[ms["origin"] == str(p)].iloc[0]
    assert mine["title"] == "My event"
    assert mine["id"] == "2026-03-01-my-event"  # derived when the file has no id column
    assert mine["short"] == "My event"
    assert ms["date"].is_monotonic_increasing


def test_user_dataframe_and_registry_override(tmp_path):
    df = pd.DataFrame({"date": [pd.Timestamp("2026-03-02")], "title": ["From a frame"],
                       "category": ["diplomacy"], "actors": ["KOR"], "source_url": [""],
                       "confidence": ["unconfirmed"]})
    ms = toolkit.load_milestones(extra=df)
    assert "From a frame" in set(ms["title"])
    only = toolkit.load_milestones(write(tmp_path, HEADER + GOOD))
    assert only["title"].tolist() == ["My event"]


def test_multiline_title_keeps_line_numbers_right(tmp_path):
    text = (HEADER + '2026-03-01,"two\nlines",statement,RUS,https://x.org,confirmed\n'
            + "2026-03-02,bad,nonsense,RUS,https://x.org,confirmed\n")
    with pytest.raises(M.MilestoneError, match=r"mine\.csv: line 4: category 'nonsense'"):
        M.read_milestones(write(tmp_path, text))


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("24/02/2022,T,war,RUS,https://x.org,confirmed", r"date '24/02/2022' is not YYYY-MM-DD"),
        ("2023-02-30,T,war,RUS,https://x.org,confirmed", r"date '2023-02-30' is not a calendar"),
        ("2022-02-24,,war,RUS,https://x.org,confirmed", r"title is empty"),
        ("2022-02-24,T,invasion,RUS,https://x.org,confirmed",
         r"category 'invasion' is not one of: war, military, military_cooperation"),
        ("2022-02-24,T,war,RUS,https://x.org,sure", r"confidence 'sure' is not one of"),
        ("2022-02-24,T,war,RS;KOR,https://x.org,confirmed", r"actor 'RS'.*FIPS.*use RUS"),
        ("2022-02-24,T,war,XYZ,https://x.org,confirmed", r"actor 'XYZ' is not a CAMEO"),
        ("2022-02-24,T,war,,https://x.org,confirmed", r"actors is empty"),
        ("2022-02-24,T,war,RUS,www.x.org,confirmed", r"source_url 'www.x.org' is not"),
        ("2022-02-24,T,war,RUS,,confirmed", r"source_url is empty but confidence"),
    ],
)
def test_each_kind_of_bad_row_names_file_line_and_problem(tmp_path, row, problem):
    p = write(tmp_path, HEADER + GOOD + row + "\n")
    with pytest.raises(ValueError, match=rf"{re.escape(str(p))}: line 3: {problem}"):
        toolkit.load_milestones(extra=p)


def test_optional_columns_are_validated(tmp_path):
    text = ("date,id,short,title,category,actors,source_url,confidence\n"
            "2026-03-01,Bad Id,ok,T,war,RUS,https://x.org,confirmed\n"
            f"2026-03-02,ok-id,{'x' * 40},T2,war,RUS,https://x.org,confirmed\n")
    with pytest.raises(M.MilestoneError) as err:
        M.read_milestones(write(tmp_path, text))
    msg = str(err.value)
    assert "2 problem(s)" in msg
    assert "line 2: id 'Bad Id' must be lower-case" in msg
    assert "line 3: short label is longer than 32" in msg


def test_missing_column_and_extra_fields(tmp_path):
    p = write(tmp_path, "date,title,category,actors,confidence\n2022-02-24,T,war,RUS,confirmed\n")
    with pytest.raises(M.MilestoneError, match=r"line 1: missing column\(s\) source_url"):
        M.read_milestones(p)
    p = write(tmp_path, HEADER + "2022-02-24,a, b,war,RUS,https://x.org,confirmed\n", "x.csv")
    with pytest.raises(M.MilestoneError, match=r"x\.csv: line 2: 1 more field\(s\).*quote"):
        M.read_milestones(p)
    with pytest.raises(M.MilestoneError, match="no such milestone file"):
        M.read_milestones(tmp_path / "absent.csv")


def test_duplicates_across_files_are_named(tmp_path):
    p = write(tmp_path, "date,id,title,category,actors,source_url,confidence\n"
                        "2026-03-01,invasion,Other,war,RUS,https://x.org,confirmed\n")
    with pytest.raises(M.MilestoneError, match=r"duplicate id 'invasion' at .*milestones\.csv: "
                                               r"line \d+; .*mine\.csv: line 2"):
        toolkit.load_milestones(extra=p)
    q = write(tmp_path, HEADER + GOOD + GOOD, "twice.csv")
    with pytest.raises(M.MilestoneError, match=r"duplicate (id|date and title)"):
        toolkit.load_milestones(extra=q)


def test_filters():
    ms = toolkit.load_milestones()
    war = toolkit.load_milestones(categories="war")
    assert set(war["category"]) == {"war"} and len(war) == (ms["category"] == "war").sum()
    two = toolkit.load_milestones(categories=["war", "sanctions"])
    assert set(two["category"]) == {"war", "sanctions"}
    prk = toolkit.load_milestones(actors=["PRK"])
    assert prk["actors"].str.contains("PRK").all()
    assert len(prk) == ms["actors"].str.split(";").map(lambda a: "PRK" in a).sum()
    both = toolkit.load_milestones(actors="RUS,KOR", match="all")
    assert both["actors"].map(lambda a: {"RUS", "KOR"} <= set(a.split(";"))).all()
    anyof = toolkit.load_milestones(actors="RUS,KOR", match="any")
    assert len(anyof) > len(both)
    feb = toolkit.load_milestones(start="2026-02-20", end="2026-02-22")
    assert feb["id"].tolist() == ["purl-consultations", "purl-asymmetric-warning",
                                  "embassy-banner"]
    assert len(toolkit.load_milestones(confidence="confirmed")) == len(ms)


def test_filter_errors_list_the_choices():
    with pytest.raises(ValueError, match="Unknown milestone category 'summit'; choose from war"):
        toolkit.load_milestones(categories="summit")
    with pytest.raises(ValueError, match="choose from confirmed, date_unconfirmed"):
        toolkit.load_milestones(confidence="maybe")
    with pytest.raises(ValueError, match="'any' or 'all'"):
        toolkit.load_milestones(actors="RUS", match="some")
    with pytest.raises(ValueError, match="after end"):
        toolkit.load_milestones(start="2026-01-01", end="2025-01-01")
