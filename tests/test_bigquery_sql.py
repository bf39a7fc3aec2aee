"""The BigQuery query: parses, prunes partitions and columns, and computes the cube exactly.

The generated BigQuery SQL is transpiled to DuckDB (sqlglot) and run on an events fixture in
GDELT 2.0's 61-column layout with tricky rows; the result must equal an independent pandas
computation of the cube. BigQuery's ingestion-time partitions are simulated by a
``_PARTITIONTIME`` column = the UTC day of DATEADDED, so the padding is tested too.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from toolkit import aggregate as A
from toolkit import schema as S
from toolkit.sources.bigquery import fetch as B

#: GDELT 2.0 Events export columns, in file order (gdelt-facts §1).
GDELT2_COLUMNS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
]
INT_COLS = {"GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass",
            "NumMentions", "NumSources", "NumArticles", "Actor1Geo_Type", "Actor2Geo_Type",
            "ActionGeo_Type", "DATEADDED"}
FLOAT_COLS = {"FractionDate", "GoldsteinScale", "AvgTone", "Actor1Geo_Lat", "Actor1Geo_Long",
              "Actor2Geo_Lat", "Actor2Geo_Long", "ActionGeo_Lat", "ActionGeo_Long"}
QUAD = {f"{r:02d}": 1 if r <= 5 else 2 if r <= 8 else 3 if r <= 13 else 4 for r in range(1, 21)}
GOLD = {"01": 0.0, "02": 3.0, "03": 4.0, "04": 1.0, "05": 3.5, "06": 6.0, "07": 7.0, "08": 5.0,
        "09": -2.0, "10": -5.0, "11": -2.0, "12": -4.0, "13": -6.0, "14": -6.5, "15": -7.2,
        "16": -4.0, "17": -7.0, "18": -9.0, "19": -10.0, "20": -10.0}
FIPS = {"RUS": "RS", "KOR": "KS", "PRK": "KN", "USA": "US", "UKR": "UP", "SRB": "RI", "": ""}

START, END = "2024-03-01", "2024-03-10"


def event(gid: int, day: int, a1: str | None, a2: str | None, root: str, *, added=None,
          root_event: int = 1, mentions: int = 4, sources: int = 2, articles: int = 3,
          tone: float = -2.5, geo1: str | None = None, geo2: str | None = None,
          action_geo: str | None = None, quad: int | None = None,
          a1type: str | None = "GOV") -> dict:
    """One GDELT 2.0 event row (all 61 columns). ``added`` defaults to 12:00 UTC on ``day``;
    ``a1type`` is Actor1Type1Code (the speaker's role; GOV unless said)."""
    added = added if added is not None else day * 1_000_000 + 120000
    a1s, a2s = a1 or "", a2 or ""
    a1t = (a1type or "") if a1s else ""
    return {
        "GLOBALEVENTID": gid, "SQLDATE": day, "MonthYear": day // 100, "Year": day // 10000,
        "FractionDate": day // 10000 + 0.5,
        "Actor1Code": a1s + a1t, "Actor1Name": a1s, "Actor1CountryCode": a1,
        "Actor1KnownGroupCode": "", "Actor1EthnicCode": "", "Actor1Religion1Code": "",
        "Actor1Religion2Code": "", "Actor1Type1Code": a1t,
        "Actor1Type2Code": "", "Actor1Type3Code": "",
        "Actor2Code": a2s, "Actor2Name": a2s, "Actor2CountryCode": a2,
        "Actor2KnownGroupCode": "", "Actor2EthnicCode": "", "Actor2Religion1Code": "",
        "Actor2Religion2Code": "", "Actor2Type1Code": "", "Actor2Type2Code": "",
        "Actor2Type3Code": "",
        "IsRootEvent": root_event, "EventCode": root + "0", "EventBaseCode": root + "0",
        "EventRootCode": root, "QuadClass": quad if quad is not None else QUAD[root],
        "GoldsteinScale": GOLD[root], "NumMentions": mentions, "NumSources": sources,
        "NumArticles": articles, "AvgTone": tone,
        "Actor1Geo_Type": 1, "Actor1Geo_FullName": "x",
        "Actor1Geo_CountryCode": geo1 if geo1 is not None else FIPS.get(a1s, ""),
        "Actor1Geo_ADM1Code": "", "Actor1Geo_ADM2Code": "", "Actor1Geo_Lat": 55.75,
        "Actor1Geo_Long": 37.62, "Actor1Geo_FeatureID": "-2960561",
        "Actor2Geo_Type": 1, "Actor2Geo_FullName": "y",
        "Actor2Geo_CountryCode": geo2 if geo2 is not None else FIPS.get(a2s, ""),
        "Actor2Geo_ADM1Code": "", "Actor2Geo_ADM2Code": "", "Actor2Geo_Lat": 37.57,
        "Actor2Geo_Long": 126.98, "Actor2Geo_FeatureID": "-3009851",
        "ActionGeo_Type": 1, "ActionGeo_FullName": "z",
        "ActionGeo_CountryCode": action_geo if action_geo is not None else FIPS.get(a1s, ""),
        "ActionGeo_ADM1Code": "", "ActionGeo_ADM2Code": "", "ActionGeo_Lat": 55.75,
        "ActionGeo_Long": 37.62, "ActionGeo_FeatureID": "-2960561",
        "DATEADDED": added, "SOURCEURL": f"https://example.org/news/{gid}",
    }


def fixture_rows() -> list[dict]:
    """Events around 2024-03-01..10 with every trap the cube must survive."""
    rows = [
        # plain dyad events, several roots (leading zeros), tones, IsRootEvent 0/1
        event(1, 20240301, "RUS", "KOR", "13", tone=-6.25, articles=5),
        # speakers: the same cell split by Actor1Type1Code (GOV, MED), blank, military
        event(2, 20240301, "RUS", "KOR", "13", root_event=0, tone=-4.0, articles=2,
              a1type="MED"),
        event(3, 20240301, "KOR", "RUS", "04", tone=1.5, mentions=7, a1type=""),
        event(4, 20240302, "PRK", "KOR", "14", tone=-8.0, articles=9, sources=5, a1type="MIL"),
        event(5, 20240302, "PRK", "RUS", "05", tone=3.25),
        event(6, 20240305, "RUS", "PRK", "06", tone=2.0, articles=11, mentions=20),
        event(7, 20240310, "KOR", "PRK", "11", tone=-3.0),
        # the same event published again in a later 15-minute batch: counted once
        event(8, 20240303, "RUS", "KOR", "12", tone=-5.0, added=20240303120000),
        event(8, 20240303, "RUS", "KOR", "12", tone=-5.0, added=20240303121500),
        event(9, 20240304, "KOR", "PRK", "02", added=20240304090000),
        event(9, 20240305, "KOR", "PRK", "02", added=20240305090000),  # re-dated copy, later
        # blank actor codes (GDELT leaves them empty; BigQuery may hold NULL)
        event(10, 20240303, "", "KOR", "04", geo1="RS"),
        event(11, 20240303, None, "RUS", "04", geo1="KS"),
        event(12, 20240303, "PRK", "", "13"),
        event(13, 20240303, "", "", "01", action_geo="KN"),
        # FIPS look-alikes: geo fields say Russia / Korea, actors are other countries
        event(14, 20240304, "USA", "UKR", "19", action_geo="RS", geo1="RS", geo2="KS"),
        event(15, 20240304, "SRB", "UKR", "12", action_geo="KN", geo1="RS"),
        event(16, 20240304, "USA", "KOR", "04", action_geo="KS"),
        # FIPS codes wrongly used as actor codes must not count as Russia / Koreas
        event(17, 20240304, "RS", "KS", "13"),
        event(18, 20240304, "KN", "KOR", "13"),
        # self-dyad
        event(19, 20240304, "RUS", "RUS", "11"),
        # SQLDATE before the range, published inside it
        event(20, 20240227, "RUS", "KOR", "13", added=20240302080000),
        # SQLDATE after the range
        event(21, 20240311, "RUS", "KOR", "13", added=20240311080000),
        # happened inside the range, published 4 days after END: inside the 7-day pad
        event(22, 20240309, "PRK", "KOR", "15", added=20240314103000),
        # published 10 days after END: outside the pad, not counted (documented trade-off)
        event(23, 20240308, "PRK", "KOR", "15", added=20240320103000),
        # published at 23:45 on END (the last batch of the day)
        event(24, 20240310, "RUS", "KOR", "01", added=20240310234500, a1type=None),
        event(27, 20240310, "RUS", "KOR", "01", added=20240310120000, a1type="OPP"),
        # actors outside the focus set but in an extended one
        event(25, 20240306, "USA", "RUS", "10"),
        event(26, 20240306, "RUS", "USA", "17", quad=4),
    ]
    return rows


def events_frame(rows: list[dict], *, blank_as_null: bool = False) -> pd.DataFrame:
    """The rows as a typed frame in GDELT 2.0 column order (what BigQuery's table holds)."""
    df = pd.DataFrame(rows, columns=GDELT2_COLUMNS)
    for c in GDELT2_COLUMNS:
        if c in INT_COLS:
            df[c] = df[c].astype("int64")
        elif c in FLOAT_COLS:
            df[c] = df[c].astype("float64")
        else:
            s = df[c].astype(object).where(df[c].notna(), None)
            if blank_as_null:
                s = s.where(s != "", None)
            else:
                s = s.fillna("")
            df[c] = s.astype(object)
    return df


def with_partitions(df: pd.DataFrame) -> pd.DataFrame:
    """Add BigQuery's ingestion-time pseudo column: UTC midnight of DATEADDED's day."""
    out = df.copy()
    out["_PARTITIONTIME"] = pd.to_datetime((out["DATEADDED"] // 1_000_000).astype(str),
                                           format="%Y%m%d").dt.tz_localize("UTC")
    return out


def _day(df: pd.DataFrame, date_basis: str) -> pd.Series:
    return df["SQLDATE"] if date_basis == "sqldate" else df["DATEADDED"] // 1_000_000


def _in_window(df, start, end, date_basis, pad_days):
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    day = pd.to_datetime(_day(df, date_basis).astype(str), format="%Y%m%d")
    part = pd.to_datetime((df["DATEADDED"] // 1_000_000).astype(str), format="%Y%m%d")
    pad = pad_days if date_basis == "sqldate" else 1
    return (part >= s) & (part <= e + pd.Timedelta(days=pad)) & (day >= s) & (day <= e), day


def expected_cube(df: pd.DataFrame, start=START, end=END, *, actors=("RUS", "KOR", "PRK"),
                  date_basis="sqldate", pad_days=7) -> pd.DataFrame:
    """The cube computed independently with pandas from the raw rows."""
    ok, day = _in_window(df, start, end, date_basis, pad_days)
    a1, a2 = df["Actor1CountryCode"], df["Actor2CountryCode"]
    keep = ok & a1.isin(actors) & a2.isin(actors) & (a1 != a2)
    d = df[keep].assign(date=day[keep])
    d = d.sort_values(["GLOBALEVENTID", "DATEADDED"]).drop_duplicates("GLOBALEVENTID")
    d = d.assign(root=(d["IsRootEvent"] == 1).astype("int64"),
                 stype=d["Actor1Type1Code"].fillna("").astype(str),
                 gxa=d["GoldsteinScale"] * d["NumArticles"], txa=d["AvgTone"] * d["NumArticles"])
    g = d.groupby(["date", "Actor1CountryCode", "stype", "Actor2CountryCode", "EventRootCode",
                   "QuadClass"], sort=True)
    out = g.agg(events=("GLOBALEVENTID", "size"), root_events=("root", "sum"),
                articles=("NumArticles", "sum"), mentions=("NumMentions", "sum"),
                sources=("NumSources", "sum"), goldstein_sum=("GoldsteinScale", "sum"),
                goldstein_x_articles=("gxa", "sum"), tone_x_articles=("txa", "sum"))
    out = out.reset_index().rename(columns={"Actor1CountryCode": "source", "stype": "source_type",
                                            "Actor2CountryCode": "target",
                                            "EventRootCode": "root_code",
                                            "QuadClass": "quad_class"})
    return S.coerce(out, S.CUBE) if len(out) else S.CUBE.empty()


def expected_totals(df: pd.DataFrame, start=START, end=END, *, date_basis="sqldate",
                    pad_days=7) -> pd.DataFrame:
    """Daily totals over ALL rows (any actors, duplicates included), independently."""
    ok, day = _in_window(df, start, end, date_basis, pad_days)
    d = df[ok].assign(date=day[ok])
    out = d.groupby("date").agg(total_events=("GLOBALEVENTID", "size"),
                                total_articles=("NumArticles", "sum")).reset_index()
    return S.coerce(out, S.DAILY_TOTALS)


def sort_cube(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(S.CUBE.key)).reset_index(drop=True)


def run_bigquery_sql_locally(sql: str, df: pd.DataFrame, schema: S.Schema) -> pd.DataFrame:
    """Run BigQuery SQL on the fixture in DuckDB, with the public table's name mapped."""
    local = sql.replace(f"`{B.TABLE}`", "events")
    return A.run_duckdb(local, {"events": with_partitions(df)}, schema)


def assert_cubes_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(sort_cube(got), sort_cube(want), check_exact=False,
                                  rtol=1e-12, atol=1e-9)


# --------------------------------------------------------------------------- parsing
def _selects_star(tree: exp.Expression) -> bool:
    return any(p.is_star for sel in tree.find_all(exp.Select) for p in sel.expressions)


def _columns(sql: str) -> set[str]:
    tree = sqlglot.parse_one(sql, read="bigquery")
    assert not _selects_star(tree), "the query must not SELECT *"
    return {c.name for c in tree.find_all(exp.Column)}


def _scan_select(sql: str) -> exp.Select:
    """The SELECT that reads GDELT's table (the scan)."""
    tree = sqlglot.parse_one(sql, read="bigquery")
    scans = [s for s in tree.find_all(exp.Select)
             if any(t.name == "events_partitioned" for t in s.find_all(exp.Table)
                    if t.find_ancestor(exp.Select) is s)]
    assert len(scans) == 1
    return scans[0]


@pytest.mark.parametrize("date_basis", ["sqldate", "dateadded"])
def test_cube_sql_parses_and_reads_only_needed_columns(date_basis):
    sql = B.bigquery_sql(START, END, date_basis=date_basis)
    tree = sqlglot.parse_one(sql, read="bigquery")
    tables = {t.sql(dialect="bigquery") for t in tree.find_all(exp.Table)}
    assert "`gdelt-bq.gdeltv2.events_partitioned`" in tables
    assert sqlglot.transpile(sql, read="bigquery", write="duckdb")
    raw = {c for c in _columns(sql) if c in GDELT2_COLUMNS or c == "_PARTITIONTIME"}
    assert raw == set(A.INPUT_COLUMNS) | {"_PARTITIONTIME"}
    # 14 of 61 columns: no geo field, no URL, no actor names
    assert not any("Geo" in c or c == "SOURCEURL" for c in raw)


def test_totals_sql_reads_two_columns_for_sqldate():
    sql = B.bigquery_totals_sql(START, END)
    raw = {c for c in _columns(sql) if c in GDELT2_COLUMNS}
    assert raw == {"SQLDATE", "NumArticles"}
    raw = {c for c in _columns(B.bigquery_totals_sql(START, END, date_basis="dateadded"))
           if c in GDELT2_COLUMNS}
    assert raw == {"DATEADDED", "NumArticles"}


@pytest.mark.parametrize(("date_basis", "hi"), [("sqldate", "2024-03-18"),
                                                ("dateadded", "2024-03-12")])
def test_partition_filter_is_padded(date_basis, hi):
    for sql in (B.bigquery_sql(START, END, date_basis=date_basis),
                B.bigquery_totals_sql(START, END, date_basis=date_basis),
                B.select_star_sql(START, END, date_basis=date_basis)):
        assert "_PARTITIONTIME >= TIMESTAMP('2024-03-01')" in sql
        assert f"_PARTITIONTIME < TIMESTAMP('{hi}')" in sql
        sqlglot.parse_one(sql, read="bigquery")


def test_actor_filter_and_partition_filter_are_in_the_scan():
    scan = _scan_select(B.bigquery_sql(START, END, actors="RUS,KOR,PRK,USA"))
    where = scan.args["where"].sql(dialect="bigquery")
    assert "_PARTITIONTIME >=" in where
    assert "Actor1CountryCode IN ('RUS', 'KOR', 'PRK', 'USA')" in where
    assert "Actor2CountryCode IN ('RUS', 'KOR', 'PRK', 'USA')" in where
    assert "Actor1CountryCode <> Actor2CountryCode" in where


def test_select_star_is_for_comparison_only():
    sql = B.select_star_sql(START, END)
    assert _selects_star(sqlglot.parse_one(sql, read="bigquery"))


def test_bigquery_sql_is_exported():
    import toolkit

    assert toolkit.bigquery_sql(START, END) == B.bigquery_sql(START, END)


def test_bad_inputs_fail_before_anything():
    with pytest.raises(ValueError, match="is after end"):
        B.bigquery_sql("2024-03-10", "2024-03-01")
    with pytest.raises(ValueError, match="FIPS geo code of RUS"):
        B.bigquery_sql(START, END, actors=["RS"])
    with pytest.raises(ValueError, match="date_basis"):
        B.bigquery_sql(START, END, date_basis="published")
    with pytest.raises(ValueError, match="GDELT 2.0 Events start on 2015-02-18"):
        B.bigquery_sql("2014-01-01", "2014-12-31")
    with pytest.raises(ValueError, match="both start and end"):
        B.bigquery_sql(None, END)
    for bad in (-1, 1.5, 400):
        with pytest.raises(ValueError, match="pad_days"):
            B.bigquery_sql(START, END, pad_days=bad)


# --------------------------------------------------------------------------- semantics
@pytest.mark.parametrize("blank_as_null", [False, True], ids=["blank-empty", "blank-null"])
@pytest.mark.parametrize("date_basis", ["sqldate", "dateadded"])
@pytest.mark.parametrize("actors", [("RUS", "KOR", "PRK"), ("RUS", "KOR", "PRK", "USA")],
                         ids=["focus", "with-usa"])
def test_duckdb_run_of_bigquery_sql_equals_pandas(blank_as_null, date_basis, actors):
    df = events_frame(fixture_rows(), blank_as_null=blank_as_null)
    got = run_bigquery_sql_locally(B.bigquery_sql(START, END, actors=actors,
                                                  date_basis=date_basis), df, S.CUBE)
    want = expected_cube(df, actors=actors, date_basis=date_basis)
    assert len(want) > 5
    assert_cubes_equal(got, want)
    tot = run_bigquery_sql_locally(B.bigquery_totals_sql(START, END, date_basis=date_basis), df,
                                   S.DAILY_TOTALS)
    pd.testing.assert_frame_equal(tot, expected_totals(df, date_basis=date_basis))


def test_tricky_rows_land_where_they_should():
    df = events_frame(fixture_rows())
    cube = run_bigquery_sql_locally(B.bigquery_sql(START, END), df, S.CUBE)
    key = cube.set_index(["date", "source", "target", "root_code"])["events"]
    # duplicated GLOBALEVENTID 8 counts once; 9 counts once, on its first (earliest) date
    assert key[(pd.Timestamp("2024-03-03"), "RUS", "KOR", "12")] == 1
    assert key[(pd.Timestamp("2024-03-04"), "KOR", "PRK", "02")] == 1
    assert (pd.Timestamp("2024-03-05"), "KOR", "PRK", "02") not in key.index
    # nothing from blank actors, FIPS look-alikes, self-dyads or out-of-range SQLDATEs
    assert set(cube["source"]) | set(cube["target"]) <= {"RUS", "KOR", "PRK"}
    assert not ((cube["source"] == cube["target"]).any())
    assert cube["date"].between(pd.Timestamp(START), pd.Timestamp(END)).all()
    assert cube.loc[cube["date"] == pd.Timestamp("2024-03-04"), "events"].sum() == 1
    # late report within the pad is in; beyond the pad is out
    assert key[(pd.Timestamp("2024-03-09"), "PRK", "KOR", "15")] == 1
    assert (pd.Timestamp("2024-03-08"), "PRK", "KOR", "15") not in key.index
    assert cube["events"].sum() == 12
    # the speaker's role splits a cell; blank and NULL types are ""
    threat = cube[(cube["date"] == pd.Timestamp("2024-03-01")) & (cube["root_code"] == "13")]
    assert dict(zip(threat["source_type"], threat["events"], strict=True)) == {"GOV": 1, "MED": 1}
    stmt = cube[(cube["date"] == pd.Timestamp("2024-03-10")) & (cube["root_code"] == "01")]
    assert sorted(stmt["source_type"]) == ["", "OPP"]
    assert cube.loc[cube["source"] == "KOR", "source_type"].tolist().count("") == 1


def test_pad_zero_loses_late_reports():
    df = events_frame(fixture_rows())
    cube = run_bigquery_sql_locally(B.bigquery_sql(START, END, pad_days=0), df, S.CUBE)
    assert not ((cube["date"] == pd.Timestamp("2024-03-09")) & (cube["target"] == "KOR")).any()
    assert_cubes_equal(cube, expected_cube(df, pad_days=0))


def test_select_star_over_the_fixture_sees_every_column():
    df = with_partitions(events_frame(fixture_rows()))
    sql = B.select_star_sql(START, END).replace(f"`{B.TABLE}`", "events")
    out = A.run_duckdb(sql, {"events": df})
    assert set(GDELT2_COLUMNS) <= set(out.columns)
    in_partitions = df["_PARTITIONTIME"].between(pd.Timestamp("2024-03-01", tz="UTC"),
                                                 pd.Timestamp("2024-03-17", tz="UTC"))
    assert len(out) == int(in_partitions.sum()) == len(df) - 1  # all but the 10-day-late row


# --------------------------------------------------------------------------- docs
def _readme_bigquery_section() -> str:
    from helpers import doc_section

    return doc_section("sources.md", "## Google BigQuery: full history")


def test_readme_bigquery_sql_examples_run(capsys):
    import re
    import shlex

    from toolkit.cli import main

    cmds = [line.split("#")[0].strip()
            for block in re.findall(r"```bash\n(.*?)```", _readme_bigquery_section(), re.S)
            for line in block.splitlines() if line.startswith("toolkit bigquery sql")]
    assert len(cmds) >= 2
    for cmd in cmds:
        assert main(shlex.split(cmd)[1:]) == 0, cmd
        assert "_PARTITIONTIME >= TIMESTAMP('2024-01-01')" in capsys.readouterr().out


def test_readme_labels_costs_as_estimates():
    sec = _readme_bigquery_section()
    assert "model" in sec.lower() and "6.25" in sec and "50 GB" in sec
    assert "maximum_bytes_billed" in sec and "SELECT *" in sec
