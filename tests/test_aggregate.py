"""The one SQL definition of the cube: semantics checked on hand-built rows in DuckDB."""

import pandas as pd
import pytest

from toolkit import aggregate as A
from toolkit import schema as S

COLS = list(A.INPUT_COLUMNS)


def _events(rows):
    return pd.DataFrame(rows, columns=COLS)


ROWS = [
    # id, SQLDATE, DATEADDED, a1, a2, root, code, quad, gold, ment, src, arts, tone, a1 type
    (1, 20240105, 20240105120000, "RUS", "KOR", 1, "13", 3, -6.0, 4, 2, 3, -5.5, "GOV"),
    (1, 20240105, 20240105121500, "RUS", "KOR", 1, "13", 3, -6.0, 4, 2, 3, -5.5, "GOV"),  # dup
    (2, 20240105, 20240105120000, "RUS", "RUS", 1, "11", 3, -2.0, 4, 2, 3, -5.5, "GOV"),  # self
    (3, 20240106, 20240106120000, None, "KOR", 0, "04", 1, 1.0, 4, 2, 3, 1.5, "MED"),  # blank
    (4, 20231230, 20240106120000, "PRK", "KOR", 0, "04", 1, 1.0, 5, 1, 2, 2.0, "MIL"),  # early
    (5, 20240107, 20240107120000, "USA", "KOR", 1, "04", 1, 1.0, 4, 2, 3, 1.5, "GOV"),  # other
    (6, 20240107, 20240107121500, "RUS", "KOR", 0, "13", 3, -6.0, 2, 1, 1, -8.0, None),
    (7, 20240107, 20240107123000, "RUS", "KOR", 1, "13", 3, -6.0, 3, 1, 2, -7.0, "MED"),
    (8, 20240107, 20240107124500, "RUS", "KOR", 1, "13", 3, -6.0, 1, 1, 1, -6.0, ""),
]


def test_cube_semantics():
    cube = A.run_duckdb(A.cube_sql("2024-01-01", "2024-01-31"), {"events": _events(ROWS)},
                        S.CUBE)
    S.validate(cube, S.CUBE)
    assert list(zip(cube.date.dt.strftime("%Y-%m-%d"), cube.source, cube.source_type,
                    cube.target, cube.events, strict=True)) == [
        ("2024-01-05", "RUS", "GOV", "KOR", 1),
        ("2024-01-07", "RUS", "", "KOR", 2),  # NULL and blank Actor1Type1Code are both ""
        ("2024-01-07", "RUS", "MED", "KOR", 1)]
    first = cube.iloc[0]
    assert first.root_code == "13" and first.quad_class == 3 and first.root_events == 1
    assert first.articles == 3 and first.mentions == 4 and first.sources == 2
    assert first.goldstein_sum == -6.0 and first.goldstein_x_articles == -18.0
    assert first.tone_x_articles == pytest.approx(-16.5)


def test_date_basis_dateadded_moves_late_reported_event_into_range():
    cube = A.run_duckdb(A.cube_sql("2024-01-01", "2024-01-31", date_basis="dateadded"),
                        {"events": _events(ROWS)}, S.CUBE)
    assert ("2024-01-06", "PRK", "KOR") in set(zip(cube.date.dt.strftime("%Y-%m-%d"),
                                                   cube.source, cube.target, strict=True))


def test_totals_count_all_rows():
    t = A.run_duckdb(A.totals_sql("2024-01-01", "2024-01-31"), {"events": _events(ROWS)},
                     S.DAILY_TOTALS)
    assert dict(zip(t.date.dt.strftime("%Y-%m-%d"), t.total_events, strict=True)) == {
        "2024-01-05": 3, "2024-01-06": 1, "2024-01-07": 4}
    assert t.total_articles.sum() == 3 + 3 + 3 + 3 + 3 + 1 + 2 + 1


def test_partition_filter_is_padded_for_sqldate():
    sql = A.cube_sql("2024-01-01", "2024-01-31", partition=True, pad_days=7)
    assert "_PARTITIONTIME >= TIMESTAMP('2024-01-01')" in sql
    assert "_PARTITIONTIME < TIMESTAMP('2024-02-08')" in sql
    assert "ActionGeo" not in sql and "SELECT *" not in sql


def test_bad_inputs():
    with pytest.raises(ValueError, match="date_basis"):
        A.cube_sql("2024-01-01", "2024-01-31", date_basis="published")
    with pytest.raises(ValueError, match="is after end"):
        A.cube_sql("2024-02-01", "2024-01-31")
    with pytest.raises(ValueError, match="Unknown actor code"):
        A.cube_sql("2024-01-01", "2024-01-31", actors=["RS"])


def test_empty_result_has_schema():
    cube = A.run_duckdb(A.cube_sql("2025-01-01", "2025-01-31"), {"events": _events(ROWS)},
                        S.CUBE)
    assert len(cube) == 0 and list(cube.columns) == S.CUBE.names


def _without_speakers(sql: str) -> str:
    """The cube SQL keyed as before speaker types (no source_type column)."""
    out = (sql.replace("  COALESCE(Actor1Type1Code, '') AS source_type,\n", "")
           .replace("source, source_type, target", "source, target"))
    assert "source_type" not in out
    return out


@pytest.mark.parametrize("date_basis", ["sqldate", "dateadded"])
def test_summed_over_speakers_the_cube_is_the_one_keyed_without_them(date_basis):
    sql = A.cube_sql("2024-01-01", "2024-01-31", date_basis=date_basis)
    ev = {"events": _events(ROWS)}
    new = A.run_duckdb(sql, ev, S.CUBE)
    old = A.run_duckdb(_without_speakers(sql), ev)
    assert new["source_type"].nunique() > 1 and len(new) > len(old)
    key = ["date", "source", "target", "root_code", "quad_class"]
    vals = [c for c in S.CUBE.names if c not in S.CUBE.key]
    summed = new.groupby(key, as_index=False)[vals].sum()
    old = S.coerce(old.assign(source_type=""), S.CUBE)[key + vals]
    pd.testing.assert_frame_equal(summed, old, check_exact=False, rtol=1e-12)
