"""The DOC query registry: shipped entries, resolution rules, validation of user files."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.sources.doc.registry import load_registry


def test_shipped_registry_has_the_field_queries():
    reg = load_registry()
    assert {"rus-kor", "rus-prk", "kor-prk", "purl-kor"} <= set(reg.queries)
    assert {"russian", "south-korean", "north-korean", "us"} <= set(reg.media)
    assert reg.media["russian"].sourcecountry == ("RS",)  # FIPS, not CAMEO RUS
    for spec in reg.queries.values():
        assert '"DPRK"' not in spec.text  # short quoted words are rejected by the API


def test_names_versus_raw_queries():
    reg = load_registry()
    assert reg.resolve("rus-kor").name == "rus-kor"
    spec = reg.resolve("rus-kor@south-korean")
    assert spec.label == "rus-kor@south-korean" and spec.media.sourcecountry == ("KS",)
    assert reg.resolve("rus-kor", media="us").label == "rus-kor@us"
    raw = reg.resolve('"North Korea" Russia')
    assert raw.name is None and raw.text == '"North Korea" Russia'
    assert reg.resolve("Pyongyang").name is None  # capitalised word: raw
    with pytest.raises(ValueError, match="Unknown DOC query name 'pyongyang'"):
        reg.resolve("pyongyang")
    with pytest.raises(ValueError, match="names media 'russian' but media='us'"):
        reg.resolve("rus-kor@russian", media="us")


def test_params_built_with_gdeltdoc_filters():
    spec = load_registry().resolve("kor-prk@us")
    p = spec.filter_params(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-31 23:59:59"))
    assert p["query"] == '("North Korea" OR Pyongyang) ("South Korea" OR Seoul) sourcecountry:US'
    assert p["startdatetime"] == "20240101000000" and p["enddatetime"] == "20240331235959"
    assert p["maxrecords"] == "250"


def test_cache_key_changes_with_the_query_text(tmp_path):
    f = tmp_path / "q.toml"
    f.write_text('[queries.x]\nquery = "Seoul Moscow"\n')
    k1 = load_registry(f).resolve("x").key
    f.write_text('[queries.x]\nquery = "Seoul Kremlin"\n')
    assert load_registry(f).resolve("x").key != k1 and k1.startswith("x-")


def test_user_file_extends_the_registry(tmp_path, monkeypatch):
    f = tmp_path / "mine.toml"
    f.write_text('[queries.kor-nato]\nquery = \'("South Korea" OR Seoul) NATO\'\n'
                 '[media.tass]\ndomain = "tass.com"\n')
    monkeypatch.setenv("TOOLKIT_DOC_QUERIES", str(f))
    reg = load_registry()
    assert "kor-nato" in reg.queries and "rus-kor" in reg.queries
    assert reg.resolve("rus-kor@tass").media.domain == ("tass.com",)


@pytest.mark.parametrize("text,match", [
    ('[queries.Bad]\nquery = "x y"\n', "lowercase"),
    ('[queries.a]\ntitle = "no query"\n', "needs a non-empty `query`"),
    ('[queries.a]\nquery = "Seoul OR Moscow"\n', "inside parentheses"),
    ('[media.m]\nsourcecountry = "RUS"\n', "CAMEO actor code; the FIPS code is RS"),
    ('[media.m]\ndescription = "nothing"\n', "needs `sourcecountry` and/or `domain`"),
    ('[queries.a\n', "not valid TOML"),
])
def test_bad_registry_entries(tmp_path, text, match):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_registry(f)
