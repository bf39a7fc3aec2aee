"""Shared fixtures. No test touches the internet or the user's real cache."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = REPO.parent / "shared" / "reference"
#: Small real GDELT files kept in the repository (see tests/data/README.md).
TEST_DATA = REPO / "tests" / "data"
#: Reference files that may not be copied into the repository (third-party licence): read
#: from ../shared/reference when it exists, absent otherwise (their tests skip cleanly).
SHARED_ONLY = ("gdelt-pair-scores-daily-2018-2024.csv",)


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


@pytest.fixture(scope="session")
def reference_dir(tmp_path_factory) -> Path:
    """The real reference files: tests/data (in the repository, so a fresh clone has them),
    plus the files that must stay outside it (:data:`SHARED_ONLY`) when ../shared/reference
    holds them. A folder of links, so tests read ``reference_dir / name`` either way."""
    d = tmp_path_factory.mktemp("reference")
    for p in TEST_DATA.iterdir():
        if p.is_file() and not p.name.startswith("."):
            (d / p.name).symlink_to(p)
    for name in SHARED_ONLY:
        if (SHARED_REFERENCE / name).is_file():
            (d / name).symlink_to(SHARED_REFERENCE / name)
    return d
