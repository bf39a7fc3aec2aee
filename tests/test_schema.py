import numpy as np
import pandas as pd
import pytest

from toolkit import schema as S


def _cube_row(**over):
    row = {"date": pd.Timestamp("2022-02-24"), "source": "RUS", "source_type": "GOV",
           "target": "KOR", "root_code": "13", "quad_class": 3, "events": 2, "root_events": 1,
           "articles": 5, "mentions": 7, "sources": 4, "goldstein_sum": -12.0,
           "goldstein_x_articles": -30.0, "tone_x_articles": -20.5}
    row.update(over)
    return pd.DataFrame([row])


def test_valid_cube_passes_and_coerce_gives_canonical_dtypes():
    df = S.coerce(_cube_row(), S.CUBE)
    S.validate(df, S.CUBE)
    assert df["date"].dtype == "datetime64[ns]"
    assert pd.api.types.is_string_dtype(df["root_code"])
    assert df["events"].dtype == np.int64
    assert list(df.columns) == S.CUBE.names


def test_missing_column_is_named():
    df = _cube_row().drop(columns=["mentions", "tone_x_articles"])
    with pytest.raises(S.SchemaError, match=r"missing column\(s\) mentions, tone_x_articles"):
        S.validate(df, S.CUBE, where="test.parquet")


def test_mistyped_column_is_named_with_expected_kind():
    df = S.coerce(_cube_row(), S.CUBE)
    df["root_code"] = df["root_code"].astype(int)
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    with pytest.raises(S.SchemaError) as e:
        S.validate(df, S.CUBE)
    msg = str(e.value)
    assert "root_code has dtype int64, expected code" in msg
    assert "date has dtype" in msg and "expected date" in msg


def test_leading_zero_root_codes_survive_coerce():
    df = S.coerce(_cube_row(root_code="04"), S.CUBE)
    assert df.loc[0, "root_code"] == "04"


def test_empty_frames_keep_columns_and_dtypes():
    for schema in (S.CUBE, S.DAILY_TOTALS):
        e = schema.empty()
        assert len(e) == 0 and list(e.columns) == schema.names
        S.validate(e, schema)


def test_totals_schema_missing_column():
    with pytest.raises(S.SchemaError, match="daily totals"):
        S.validate(pd.DataFrame({"date": pd.to_datetime(["2022-01-01"])}), S.DAILY_TOTALS)
