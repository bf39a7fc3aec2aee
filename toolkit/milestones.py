"""The milestone registry: dated events that might move rhetoric (``data/milestones.csv``)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .config import REPO_ROOT

DEFAULT_PATH = REPO_ROOT / "data" / "milestones.csv"
COLUMNS = ("date", "title", "category", "actors", "source_url", "confidence")


def load_milestones(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the milestone registry.

    Parameters
    ----------
    path : path, optional
        A CSV with columns ``date,title,category,actors,source_url,confidence``
        (default: the project's ``data/milestones.csv``).

    Returns
    -------
    DataFrame
        One row per milestone, ``date`` as datetime64 (UTC day), sorted by date.
    """
    p = Path(path) if path is not None else DEFAULT_PATH
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{p}: missing column(s) {', '.join(missing)}; expected {COLUMNS}")
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df.sort_values("date", kind="stable").reset_index(drop=True)
