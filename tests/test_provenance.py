"""Issue 12, point 6: attrs, captions and sidecars name the product actually used."""

from __future__ import annotations

import json

import pytest

import toolkit
from toolkit import charts, store
from toolkit.sources.events import cache as C

from helpers import fill_from_demo


def _caption_and_sidecar(cube, tmp_path):
    totals = toolkit.load_daily_totals(cube.attrs["start"], cube.attrs["end"],
                                       source=cube.attrs["source"])
    idx = toolkit.compute_index(cube, totals, "volume", freq="W")
    fig = charts.timeline(idx, title="volume")
    path = charts.export_figure(fig, tmp_path / "v.html", sidecar=True)
    return charts.caption_text(idx), json.loads(path.with_suffix(".html.json").read_text())


@pytest.mark.parametrize("product, basis, label", [
    ("v1", "sqldate", "GDELT 1.0 daily event files"),
    ("v2", "sqldate", "GDELT 2.0 Events, English 15-minute files (v2)"),
    ("v2-all", "dateadded", "GDELT 2.0 Events, English + translingual 15-minute files (v2-all)"),
])
def test_local_cache_names_its_product_and_date_basis(data_dir, tmp_path, product, basis, label):
    fill_from_demo(data_dir, "2024-06-01", "2024-06-30")
    C.write_state(data_dir, {"product": product, "actors": ["RUS", "KOR", "PRK"],
                             "date_basis": basis})
    cube = toolkit.load_cube("2024-06-01", "2024-06-30", source="local")
    a = cube.attrs
    assert (a["dataset"], a["date_basis"], a["days"]) == (label, basis, 30)
    assert a["note"].startswith(f"{label} (local cache; events dated by")
    assert ("SQLDATE" if basis == "sqldate" else "DATEADDED") in a["note"]
    caption, side = _caption_and_sidecar(cube, tmp_path)
    assert caption.startswith(f"Source: {label} (local cache; ")
    assert "GDELT 2.0" not in caption or product != "v1"
    assert (side["dataset"], side["date_basis"], side["source"]) == (label, basis, "local")
    assert (side["start"], side["end"]) == ("2024-06-01", "2024-06-30")


def test_bigquery_cache_names_its_table(data_dir, tmp_path):
    fill_from_demo(data_dir, "2024-06-01", "2024-06-30", "bigquery")
    rec = {"start": "2024-06-01", "end": "2024-06-30", "actors": ["RUS", "KOR", "PRK"],
           "date_basis": "sqldate", "table": "gdelt-bq.gdeltv2.events_partitioned"}
    store.write_json_atomic(data_dir / "cubes" / "bigquery" / "fetches.json",
                            {"fetches": [rec]})
    cube = toolkit.load_cube("2024-06-01", "2024-06-30", source="bigquery")
    assert cube.attrs["dataset"] == "GDELT 2.0 Events, BigQuery table " \
        "gdelt-bq.gdeltv2.events_partitioned"
    caption, side = _caption_and_sidecar(cube, tmp_path)
    assert "BigQuery table gdelt-bq.gdeltv2.events_partitioned" in caption
    assert "SQLDATE" in caption and side["date_basis"] == "sqldate"


def test_demo_is_named_synthetic_everywhere(tmp_path):
    cube = toolkit.load_cube("2024-06-01", "2024-06-30", source="demo")
    assert cube.attrs["dataset"] == "synthetic demo data (not real GDELT)"
    caption, side = _caption_and_sidecar(cube, tmp_path)
    assert caption.startswith("Source: synthetic demo data (not real GDELT)")
    assert side["synthetic"] is True and side["dataset"].startswith("synthetic")


def test_report_banner_names_product_basis_and_days():
    from toolkit.notebook.report import _index_html

    figs = [{"source": "local", "synthetic": False, "figure": "a", "html": "figures/a.html",
             "note": "GDELT 1.0 daily event files (local cache; events dated by the day they "
                     "happened (SQLDATE))", "start": s, "end": e}
            for s, e in (("2017-01-01", "2017-06-30"), ("2017-03-01", "2026-10-31"))]
    page = _index_html({"generated_at": "2026-11-28T00:00:00+00:00", "toolkit_version": "0",
                        "seconds": 1, "source": "local", "notebooks": [], "figures": figs})
    assert ("Data shown: <b>GDELT 1.0 daily event files (local cache; events dated by the day "
            "they happened (SQLDATE)), 2017-01-01 to 2026-10-31 (3,591 days)</b>") in page


def test_analysis_figures_name_the_product_too(data_dir):
    from toolkit import analysis as A

    fill_from_demo(data_dir, "2024-05-01", "2024-07-31")
    C.write_state(data_dir, {"product": "v1", "actors": ["RUS", "KOR", "PRK"],
                             "date_basis": "sqldate"})
    cube = toolkit.load_cube("2024-05-01", "2024-07-31", source="local")
    totals = toolkit.load_daily_totals("2024-05-01", "2024-07-31", source="local")
    idx = toolkit.compute_index(cube, totals, "volume", dyads=["RUS→PRK"])
    ms = toolkit.load_milestones()
    its = A.segmented_regression(idx, ms[ms["id"] == "treaty-2024"])
    fig = charts.plot_its(its)
    caption = next(a.text for a in fig.layout.annotations if a.name == "caption")
    assert caption.startswith("Source: GDELT 1.0 daily event files (local cache; ")
    prov = fig.layout.meta["provenance"]
    assert prov["dataset"] == "GDELT 1.0 daily event files" and prov["date_basis"] == "sqldate"
