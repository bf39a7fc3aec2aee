"""``make report``: execute every notebook headless and collect the charts.

Writes, under ``reports/``:

* ``<notebook>.html`` — each executed notebook (charts embedded, work offline);
* ``figures/<notebook>--<figure>.html`` / ``.png`` / ``.html.json`` — every figure shown with
  :func:`toolkit.show`, with a provenance sidecar;
* ``manifest.json`` and ``index.html`` — what was made, from which notebook and data source,
  for which date range, when, by which toolkit version.
"""

from __future__ import annotations

import html
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .config import REPO_ROOT
from .store import write_bytes_atomic, write_json_atomic


def execute_notebook(path: Path, *, figures_dir: Path | None = None, source: str | None = None,
                     timeout: int = 600):
    """Execute one notebook in a fresh kernel (cwd = its folder); returns the executed node.

    ``TOOLKIT_FIGURES_DIR`` and ``TOOLKIT_NOTEBOOK`` are set for the kernel so that
    :func:`toolkit.show` saves figures; ``source`` sets ``TOOLKIT_SOURCE``.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_backup = dict(os.environ)
    try:
        if figures_dir is not None:
            os.environ["TOOLKIT_FIGURES_DIR"] = str(figures_dir)
        os.environ["TOOLKIT_NOTEBOOK"] = path.stem
        if source:
            os.environ["TOOLKIT_SOURCE"] = source
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    return nb


def notebook_html(nb) -> str:
    """Render an executed notebook as standalone HTML (lab template)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    return body


def build_report(out_dir: str | os.PathLike = "reports", *, notebooks: list[Path] | None = None,
                 source: str | None = None) -> dict:
    """Execute notebooks and write the report; returns the manifest.

    Parameters
    ----------
    out_dir : path
        Report folder (``reports/``).
    notebooks : list of Path, optional
        Default: every ``notebooks/*.ipynb`` in name order.
    source : str, optional
        Data source for every notebook (``TOOLKIT_SOURCE``); default: the notebooks' own.
    """
    out = Path(out_dir).resolve()
    figs = out / "figures"
    figs.mkdir(parents=True, exist_ok=True)
    nbs = notebooks or sorted((REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
    entries = []
    for nb_path in nbs:
        t0 = time.perf_counter()
        for old in figs.glob(f"{nb_path.stem}--*"):
            old.unlink()
        nb = execute_notebook(nb_path, figures_dir=figs, source=source)
        write_bytes_atomic(out / f"{nb_path.stem}.html", notebook_html(nb).encode())
        entries.append({"notebook": nb_path.name, "html": f"{nb_path.stem}.html",
                        "seconds": round(time.perf_counter() - t0, 1)})
        print(f"report: {nb_path.name} executed in {entries[-1]['seconds']} s")
    figures = []
    for side in sorted(figs.glob("*.html.json")):
        meta = json.loads(side.read_text())
        stem = side.name[: -len(".html.json")]
        meta.update({"html": f"figures/{stem}.html",
                     "png": f"figures/{stem}.png" if (figs / f"{stem}.png").exists() else None})
        figures.append(meta)
    manifest = {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "toolkit_version": __version__, "notebooks": entries, "figures": figures}
    write_json_atomic(out / "manifest.json", manifest)
    write_bytes_atomic(out / "index.html", _index_html(manifest).encode())
    return manifest


def _index_html(m: dict) -> str:
    e = html.escape
    nb_rows = "".join(f"<li><a href='{e(n['html'])}'>{e(n['notebook'])}</a> "
                      f"({n['seconds']} s)</li>" for n in m["notebooks"])
    fig_rows = "".join(
        "<tr>" + "".join(f"<td>{x}</td>" for x in (
            f"<a href='{e(f['html'])}'>{e(f.get('title') or f['figure'])}</a>",
            f"<a href='{e(f['png'])}'>png</a>" if f.get("png") else "",
            e(f.get("notebook", "")),
            e(str(f.get("source", ""))) + (" <b>(synthetic)</b>" if f.get("synthetic") else ""),
            e(f"{f.get('start', '')} – {f.get('end', '')}"),
            e(f.get("generated_at", "")[:19]), e(f.get("toolkit_version", "")))) + "</tr>"
        for f in m["figures"])
    synthetic = any(f.get("synthetic") for f in m["figures"])
    warn = ("<p class='warn'>Figures marked synthetic show the embedded SYNTHETIC demo data, "
            "not real GDELT: they illustrate the methods only.</p>" if synthetic else "")
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Rhetoric toolkit report</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px}}
.warn{{background:#fff3cd;padding:8px}}</style></head><body>
<h1>Rhetoric toolkit report</h1>
<p>Generated {e(m['generated_at'])} by toolkit {e(m['toolkit_version'])}.
Machine-readable: <a href="manifest.json">manifest.json</a>.</p>{warn}
<h2>Notebooks</h2><ul>{nb_rows}</ul>
<h2>Figures</h2><table><tr><th>figure</th><th>image</th><th>notebook</th><th>source</th>
<th>data range</th><th>generated</th><th>toolkit</th></tr>{fig_rows}</table>
</body></html>"""
