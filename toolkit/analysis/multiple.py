"""Multiple testing: adjust p-values when many milestones (or dyads, or indices) are tested.

Testing 40 milestones at the 5 % level flags about two by chance alone. Holm (1979) controls
the family-wise error rate (the chance of any false flag); Benjamini–Hochberg (1995) controls
the false discovery rate (the expected share of false flags among those flagged) and is less
conservative. Both via :func:`statsmodels.stats.multitest.multipletests`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

METHODS = {"holm": "holm", "fdr_bh": "fdr_bh", "bonferroni": "bonferroni", "fdr_by": "fdr_by"}


def adjust_pvalues(frame: pd.DataFrame, *, column: str = "p_value",
                   methods: tuple[str, ...] = ("holm", "fdr_bh"),
                   alpha: float = 0.05) -> pd.DataFrame:
    """Add adjusted p-values ``p_<method>`` and flags ``reject_<method>`` to a result table.

    Parameters
    ----------
    frame : DataFrame
        A table with one p-value per row (e.g. ``event_study(...).effects``).
    column : str
        The p-value column.
    methods : tuple of str
        Any of "holm", "fdr_bh", "bonferroni", "fdr_by".
    alpha : float
        Level for the ``reject_*`` flags.

    Returns
    -------
    DataFrame
        A copy of ``frame`` with the added columns (rows with NaN p-values stay NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> t = adjust_pvalues(pd.DataFrame({"p_value": [0.01, 0.02, 0.03, 0.5]}))
    >>> t["p_holm"].round(2).tolist()
    [0.04, 0.06, 0.06, 0.5]

    References
    ----------
    Holm, S. (1979). *Scand. J. Statist.* 6(2), 65–70. Benjamini, Y. and Hochberg, Y. (1995).
    *J. R. Statist. Soc. B* 57(1), 289–300.
    """
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise ValueError(f"Unknown method(s) {bad}; choose from {', '.join(METHODS)}")
    if column not in frame.columns:
        raise ValueError(f"No column {column!r}; columns are {list(frame.columns)}")
    out = frame.copy()
    p = out[column].to_numpy(dtype=float)
    ok = np.isfinite(p)
    for m in methods:
        adj = np.full(len(p), np.nan)
        rej = np.zeros(len(p), dtype=bool)
        if ok.any():
            rej[ok], adj[ok], *_ = multipletests(p[ok], alpha=alpha, method=METHODS[m])
        out[f"p_{m}"] = adj
        out[f"reject_{m}"] = rej
    out.attrs.update(frame.attrs)
    out.attrs["n_tests"] = int(ok.sum())
    return out
