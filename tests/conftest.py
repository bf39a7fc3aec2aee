"""Shared fixtures. No test touches the internet or the user's real cache."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = REPO.parent / "shared" / "reference"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Point TOOLKIT_DATA_DIR at a fresh temp folder for every test."""
    d = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("TOOLKIT_DATA_DIR", str(d))
    monkeypatch.delenv("TOOLKIT_SOURCE", raising=False)
    monkeypatch.delenv("TOOLKIT_FIGURES_DIR", raising=False)
    yield d


@pytest.fixture
def data_dir(_isolated_cache) -> Path:
    """The per-test cache folder (same as TOOLKIT_DATA_DIR)."""
    return _isolated_cache


@pytest.fixture
def reference_dir() -> Path:
    """../shared/reference when it exists; skips the test cleanly otherwise."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip("../shared/reference is not present (fresh clone); reference checks skipped")
    return SHARED_REFERENCE
