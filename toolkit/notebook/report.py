"""``make report``: execute every notebook headless and collect the charts.

Writes, under ``reports/``:

* ``<notebook>.html`` — each executed notebook (charts embedded, work offline);
* ``figures/<notebook>--<figure>.html`` / ``.png`` / ``.html.json`` — every figure shown with
  :func:`toolkit.show`, with a provenance sidecar;
* ``manifest.json`` and ``index.html`` — what was made, from which notebook and data source,
  for which date range, when, by which toolkit version.
"""

from __future__ import annotations

import glob
import html
import json
import os
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from .._version import __version__
from ..config import REPO_ROOT
from ..store import write_bytes_atomic, write_json_atomic

#: The report's one copy of plotly.js (in the report folder), loaded by every page and figure.
PLOTLYJS = "plotly.min.js"


def write_plotlyjs(out_dir: Path) -> Path:
    """Write plotly.js (the version this plotly ships) as ``<out_dir>/plotly.min.js``."""
    from plotly.offline import get_plotlyjs

    path = Path(out_dir) / PLOTLYJS
    data = get_plotlyjs().encode()
    if not path.exists() or path.read_bytes() != data:
        write_bytes_atomic(path, data)
    return path


def kernel_env(*, figures_dir: Path | None = None, source: str | None = None,
               notebook: str | None = None, pngs: bool = True,
               plotlyjs: Path | None = None) -> dict[str, str]:
    """Environment for a notebook's kernel: this process's, plus the report's settings.

    ``TOOLKIT_FIGURES_DIR`` makes :func:`toolkit.show` save figures, ``TOOLKIT_NOTEBOOK`` prefixes
    their names, ``TOOLKIT_SOURCE`` is read by every notebook's parameter cell, and
    ``TOOLKIT_FIGURES_PNG=defer`` leaves the PNGs to :func:`render_pending` (unless it is "0";
    ``pngs=False``, e.g. without Chrome, sets it to "0": the figures are saved as HTML only),
    ``TOOLKIT_PLOTLYJS`` (``plotlyjs``) makes pages and figures load that shared plotly.js.
    """
    env = dict(os.environ)
    if plotlyjs is not None:
        env["TOOLKIT_PLOTLYJS"] = str(plotlyjs)
    if figures_dir is not None:
        env["TOOLKIT_FIGURES_DIR"] = str(figures_dir)
        if not pngs:
            env["TOOLKIT_FIGURES_PNG"] = "0"
        elif env.get("TOOLKIT_FIGURES_PNG", "1") != "0":
            env["TOOLKIT_FIGURES_PNG"] = "defer"  # rendered here by render_pending()
    if notebook:
        env["TOOLKIT_NOTEBOOK"] = notebook
    if source:
        env["TOOLKIT_SOURCE"] = source
    return env


def png_skip_reason() -> str | None:
    """Why the report cannot write PNG figures (no Chrome/Chromium for kaleido), else None.

    The message says how to get the PNGs; the HTML pages and figures need no browser.

    Examples
    --------
    >>> png_skip_reason()  # doctest: +SKIP
    'PNG figures skipped: no Chrome/Chromium found ...'
    """
    from ..charts import find_browser

    if find_browser() is not None:
        return None
    bad = os.environ.get("BROWSER_PATH")
    found = (f"BROWSER_PATH={bad} is not an executable Chrome/Chromium" if bad
             else "no Chrome/Chromium found for kaleido")
    return (f"PNG figures skipped: {found}; every page and figure was written as HTML. "
            "To get the PNGs too, install Chromium (Debian/Ubuntu: `sudo apt-get install "
            "chromium`; macOS: `brew install --cask chromium`), or run `plotly_get_chrome` "
            "(downloads Chrome; needs the internet), or set BROWSER_PATH to a Chrome/Chromium "
            "binary; then rerun `make report`.")


def _kernel_config():
    """Kernel-manager config: CurveZMQ transport encryption when pyzmq and the kernel allow it.

    ipykernel >= 7 prints "Kernel is running over TCP without encryption" for every kernel
    started without keys; jupyter_client >= 8.10 can provision them (``transport_encryption``),
    which both encrypts the loopback traffic and ends that warning.
    """
    from jupyter_client import KernelManager
    from traitlets.config import Config

    cfg = Config()
    try:
        import zmq

        curve = bool(zmq.has("curve"))
    except Exception:  # noqa: BLE001 - no curve support: plain TCP as before
        curve = False
    if curve and "transport_encryption" in KernelManager.class_trait_names():
        cfg.KernelManager.transport_encryption = "auto"
    return cfg


_ROOTS: list[tuple[str, str]] = []


def relative_paths(text: str) -> str:
    """``text`` with this checkout's absolute path made relative (and the home folder as ``~``).

    Tracebacks, warnings and messages name files by absolute path; a report shared with others
    should not show the folder layout of the machine that made it.

    Examples
    --------
    >>> from toolkit.config import REPO_ROOT
    >>> relative_paths(f"File {REPO_ROOT}/toolkit/cube.py:95")
    'File toolkit/cube.py:95'
    """
    if not _ROOTS:
        home = str(Path.home())
        _ROOTS.extend([(str(REPO_ROOT) + os.sep, ""), (str(REPO_ROOT), ".")]
                      + ([(home + os.sep, "~" + os.sep)] if len(home) > 1 else []))
    for old, new in _ROOTS:
        text = text.replace(old, new)
    return text


def _relative_outputs(nb):
    """Apply :func:`relative_paths` to every text output of an executed notebook."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if isinstance(out.get("text"), str):
                out["text"] = relative_paths(out["text"])
            if "evalue" in out:
                out["evalue"] = relative_paths(str(out["evalue"]))
            if "traceback" in out:
                out["traceback"] = [relative_paths(t) for t in out["traceback"]]
            for mime, val in out.get("data", {}).items():
                if isinstance(val, str) and not mime.startswith("image/"):
                    out["data"][mime] = relative_paths(val)
    return nb


def execute_notebook(path: Path, *, figures_dir: Path | None = None, source: str | None = None,
                     timeout: int = 600, allow_errors: bool = False, render_pngs: bool = True,
                     pngs: bool | None = None, plotlyjs: Path | None = None):
    """Execute one notebook in a fresh kernel (cwd = its folder); returns the executed node.

    ``TOOLKIT_FIGURES_DIR`` and ``TOOLKIT_NOTEBOOK`` are set for the kernel (not for this
    process, so several notebooks can run at once from threads) so that :func:`toolkit.show`
    saves figures; ``source`` sets ``TOOLKIT_SOURCE``. The kernels defer their PNGs; they are
    rendered here when the notebook is done (``render_pngs``; :func:`build_report` renders them
    in a separate thread instead, while the next notebook runs). ``pngs=False`` saves the figures
    as HTML only; the default (None) does so when no Chrome/Chromium is found. ``plotlyjs``: the
    shared plotly.js (see :func:`kernel_env`); the page must then be written with
    ``notebook_html(nb, plotlyjs_src=...)``.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        When a cell fails and ``allow_errors`` is False; the partly executed notebook is then
        on the exception as ``err.notebook``.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    if pngs is None:
        pngs = png_skip_reason() is None
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            allow_errors=allow_errors, config=_kernel_config(),
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=kernel_env(figures_dir=figures_dir, source=source,
                                      notebook=path.stem, pngs=pngs, plotlyjs=plotlyjs))
    except Exception as err:  # a cell error, a timeout, a dead kernel: keep what ran
        err.notebook = nb
        raise
    finally:
        if figures_dir is not None and render_pngs and pngs:
            render_pending(figures_dir, path.stem)
    return nb


_kaleido_lock = threading.Lock()


def _longest_first(nbs: list[Path], previous_manifest: Path) -> list[Path]:
    """Start the slowest notebooks first (shorter wall time with 2 kernels at a time).

    Durations come from the previous report's manifest when there is one, else the notebook's
    file size stands in for its cost.
    """
    seconds: dict[str, float] = {}
    try:
        for n in json.loads(previous_manifest.read_text())["notebooks"]:
            seconds[n["notebook"]] = float(n["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if all(p.name in seconds for p in nbs):
        return sorted(nbs, key=lambda p: -seconds[p.name])
    return sorted(nbs, key=lambda p: -p.stat().st_size)


def _warm_up_browser(figures_dir: Path) -> None:
    """Start kaleido's headless browser (one tiny render) so that it is ready for the PNGs."""
    import plotly.graph_objects as go

    from ..charts import export_figure, find_browser

    if find_browser() is None:  # each PNG then fails with the install instructions
        return
    with tempfile.TemporaryDirectory(dir=figures_dir) as d, _kaleido_lock:
        export_figure(go.Figure(), Path(d) / "warm-up.png", width=50, height=50, scale=1)


def render_pending(figures_dir: str | os.PathLike, notebook: str | None = None) -> list[Path]:
    """Render the PNGs that kernels deferred (``TOOLKIT_FIGURES_PNG=defer``), then drop the specs.

    All notebooks of a report share this process's single headless browser (kaleido), which
    saves starting one per kernel (~4 s each); rendering is serialised by a lock so that
    notebooks executed from several threads can call it.

    Parameters
    ----------
    figures_dir : path
        The report's ``figures/`` folder.
    notebook : str, optional
        Only this notebook's figures (``<notebook>--*``); default all.

    Returns
    -------
    list of Path
        The PNG files written.
    """
    import plotly.graph_objects as go

    from ..charts import export_figure
    from .display import PENDING_SUFFIX

    done = []
    pattern = f"{glob.escape(notebook)}--*{PENDING_SUFFIX}" if notebook else f"*{PENDING_SUFFIX}"
    for spec in sorted(Path(figures_dir).glob(pattern)):
        fig = go.Figure(json.loads(spec.read_text()))
        png = spec.with_name(spec.name[: -len(PENDING_SUFFIX)] + ".png")
        with _kaleido_lock:
            export_figure(fig, png)
        spec.unlink()
        done.append(png)
    return done


def static_outputs(nb):
    """Prefer each output's static HTML over a live widget (for HTML that works offline).

    nbconvert draws a widget output by loading the widget manager from a CDN; offline that shows
    nothing. Outputs that also carry ``text/html`` (e.g. the
    :class:`toolkit.notebook.explorer.Explorer`'s snapshot of its chart) keep only that, and the
    saved widget state is dropped.
    """
    widget = "application/vnd.jupyter.widget-view+json"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if widget in data and "text/html" in data:
                del data[widget]
    nb.metadata.pop("widgets", None)
    return nb


# nbconvert's lab template with no reference to a CDN: require.js (nothing on our pages uses
# it), MathJax (our notebooks hold no maths) and the mermaid loader (no diagrams) are dropped;
# the report's plotly.js is loaded first.
_PAGE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
{%- if resources.plotlyjs_src %}<script src="{{ resources.plotlyjs_src }}"></script>{% endif -%}
{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def notebook_html(nb, plotlyjs_src: str | None = None) -> str:
    """Render an executed notebook as standalone HTML (lab template), static outputs first.

    The page makes no network request. ``plotlyjs_src``: relative URL of a shared plotly.js
    that the page loads (for notebooks executed with ``plotlyjs``, whose charts do not embed
    it).
    """
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file="toolkit-page.html.j2",
                            extra_loaders=[jinja2.DictLoader(
                                {"toolkit-page.html.j2": _PAGE_TEMPLATE})])
    body, _ = exporter.from_notebook_node(static_outputs(nb),
                                          resources={"plotlyjs_src": plotlyjs_src})
    return body


def _errors(nb) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _run_one(nb_path: Path, out: Path, figs: Path, source: str | None, renderer,
             pngs: bool = True) -> dict:
    from nbclient.exceptions import CellExecutionError

    t0 = time.perf_counter()
    for old in figs.glob(f"{glob.escape(nb_path.stem)}--*"):
        old.unlink()
    entry = {"notebook": nb_path.name, "html": f"{nb_path.stem}.html", "error": None}
    try:
        nb = execute_notebook(nb_path, figures_dir=figs, source=source, render_pngs=False,
                              pngs=pngs, plotlyjs=out / PLOTLYJS)
    except CellExecutionError as err:
        nb = err.notebook
        entry["error"] = (_errors(nb) or [str(err).strip().splitlines()[-1]])[0]
    except Exception as err:  # noqa: BLE001 - e.g. the kernel died: report it, go on
        nb = getattr(err, "notebook", None)
        entry["error"] = f"{type(err).__name__}: {err}".strip()
    if entry["error"]:
        entry["error"] = relative_paths(entry["error"])
    entry["pngs"] = renderer.submit(render_pending, figs, nb_path.stem) if pngs else None
    if nb is not None:
        write_bytes_atomic(out / entry["html"],
                           notebook_html(_relative_outputs(nb), PLOTLYJS).encode())
    entry["seconds"] = round(time.perf_counter() - t0, 1)
    status = f"FAILED ({entry['error']})" if entry["error"] else "executed"
    print(f"report: {nb_path.name} {status} in {entry['seconds']} s", flush=True)
    return entry


def build_report(out_dir: str | os.PathLike = "reports", *, notebooks: list[Path] | None = None,
                 source: str | None = None, jobs: int | None = None) -> dict:
    """Execute notebooks and write the report; returns the manifest.

    A notebook that fails does not stop the others: its HTML shows the error, and its manifest
    entry has ``error`` set (``toolkit report`` then exits with status 1).

    Parameters
    ----------
    out_dir : path
        Report folder (``reports/``).
    notebooks : list of Path, optional
        Default: every ``notebooks/*.ipynb`` in name order.
    source : str, optional
        Data source for every notebook (``TOOLKIT_SOURCE``); default: the notebooks' own.
    jobs : int, optional
        Notebooks executed at once, each in its own kernel (default: 2, or 1 on a 1-core
        machine).

    Returns
    -------
    dict
        The manifest: ``generated_at``, ``toolkit_version``, ``source`` (requested),
        ``notebooks`` (name, html, seconds, error, source, figures) and ``figures`` (one entry
        per figure: files, notebook, title, source, synthetic, start, end, generated_at,
        toolkit_version).
    """
    from concurrent.futures import ThreadPoolExecutor

    out = Path(out_dir).resolve()
    figs = out / "figures"
    figs.mkdir(parents=True, exist_ok=True)
    write_plotlyjs(out)
    nbs = [Path(p) for p in notebooks] if notebooks else sorted(
        (REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
    jobs = max(1, jobs if jobs is not None else min(2, os.cpu_count() or 1))
    t0 = time.perf_counter()
    no_png = png_skip_reason() if os.environ.get("TOOLKIT_FIGURES_PNG", "1") != "0" else None
    if no_png:  # said once here, once in index.html; not once per notebook or figure
        print(f"report: {no_png}", flush=True)
    # `jobs` kernels at a time; one more thread renders the PNGs they defer, with one browser
    with ThreadPoolExecutor(max_workers=1) as renderer, \
            ThreadPoolExecutor(max_workers=jobs) as pool:
        if not no_png:
            renderer.submit(_warm_up_browser, figs)  # starts while the first notebooks run
        order = _longest_first(nbs, out / "manifest.json")
        entries = list(pool.map(lambda p: _run_one(p, out, figs, source, renderer,
                                                   pngs=not no_png), order))
        entries.sort(key=lambda e: [p.name for p in nbs].index(e["notebook"]))
        for e in entries:
            pending = e.pop("pngs")
            if pending is None:
                continue
            try:
                pending.result()
            except Exception as exc:  # noqa: BLE001 - reported per notebook, report goes on
                e["error"] = e["error"] or relative_paths(
                    f"PNG export failed: {type(exc).__name__}: {exc}")
                print(relative_paths(f"report: {e['notebook']} PNG export FAILED: {exc}"),
                      flush=True)
    figures = []
    ran = {p.stem for p in nbs}
    # grouped by notebook, in the order the notebook showed them
    for side in sorted(figs.glob("*.html.json"),
                       key=lambda p: (p.name.split("--", 1)[0], p.stat().st_mtime_ns)):
        meta = json.loads(side.read_text())
        if meta.get("notebook") not in ran:  # left by an earlier run of another notebook
            continue
        stem = side.name[: -len(".html.json")]
        meta.update({"html": f"figures/{stem}.html",
                     "png": f"figures/{stem}.png" if (figs / f"{stem}.png").exists() else None})
        figures.append(meta)
    for e in entries:
        mine = [f for f in figures if f.get("notebook") == Path(e["notebook"]).stem]
        e["figures"] = len(mine)
        e["source"] = sorted({str(f.get("source")) for f in mine})
        e["synthetic"] = any(f.get("synthetic") for f in mine)
        e["data"] = _data_used(mine)
    manifest = {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "toolkit_version": __version__, "source": source or os.environ.get(
                    "TOOLKIT_SOURCE", "auto"),
                "seconds": round(time.perf_counter() - t0, 1), "jobs": jobs,
                "png_skipped": no_png, "notebooks": entries, "figures": figures}
    write_json_atomic(out / "manifest.json", manifest)
    write_bytes_atomic(out / "index.html", _index_html(manifest).encode())
    return manifest


def _data_used(figures: list[dict]) -> list[str]:
    """One line per dataset the figures show: product (and date basis) and the days covered."""
    from ..charts import SOURCE_LABELS

    def label(f: dict) -> str | None:
        if f.get("dataset"):  # events frames from load_cube: the note adds the date basis
            cache = f.get("source") in ("local", "bigquery") and f.get("note")
            return f["note"] if cache else f["dataset"]
        return f.get("note")  # DOC frames; None for results that kept only "source"

    # results that kept only "source" (e.g. analysis plots) show the cube of that source
    known = {f.get("source"): label(f) for f in reversed(figures) if f.get("dataset")}
    spans: dict[str, list[str]] = {}
    for f in figures:
        src = str(f.get("source", "unknown"))
        what = label(f) or known.get(src) or SOURCE_LABELS.get(src, src)
        spans.setdefault(what, []).extend(x for x in (f.get("start"), f.get("end")) if x)
    out = []
    for what, days in spans.items():
        if days:
            n = (datetime.fromisoformat(max(days)) - datetime.fromisoformat(min(days))).days + 1
            what += f", {min(days)} to {max(days)} ({n:,} days)"
        out.append(what)
    return out


def _index_html(m: dict) -> str:
    e = html.escape
    nb_rows = "".join(
        "<tr>" + "".join(f"<td>{x}</td>" for x in (
            f"<a href='{e(n['html'])}'>{e(n['notebook'])}</a>",
            (f"<span class='err'>failed: {e(n['error'])}</span>" if n.get("error") else "ok"),
            e(", ".join(n.get("source", []))) + (" <b>(synthetic)</b>"
                                                 if n.get("synthetic") else ""),
            str(n.get("figures", "")), f"{n['seconds']} s")) + "</tr>"
        for n in m["notebooks"])
    fig_rows = "".join(
        "<tr>" + "".join(f"<td>{x}</td>" for x in (
            (f"<a href='{e(f['png'])}'><img src='{e(f['png'])}' loading='lazy' "
             f"alt='{e(f.get('title') or f['figure'])}'></a>" if f.get("png") else ""),
            f"<a href='{e(f['html'])}'>{e(f.get('title') or f['figure'])}</a>"
            + (f" · <a href='{e(f['png'])}'>png</a>" if f.get("png") else ""),
            e(f.get("notebook", "")),
            e(str(f.get("source", ""))) + (" <b>(synthetic)</b>" if f.get("synthetic") else ""),
            e(f"{f.get('start', '')} – {f.get('end', '')}"),
            e(f.get("generated_at", "")[:19]), e(f.get("toolkit_version", "")))) + "</tr>"
        for f in m["figures"])
    synthetic = any(f.get("synthetic") for f in m["figures"])
    warn = ("<p class='warn'>Figures marked synthetic show the embedded SYNTHETIC demo data, "
            "not real GDELT: they illustrate the methods only.</p>" if synthetic else "")
    if m.get("png_skipped"):
        warn += f"<p class='warn'>{e(m['png_skipped'])}</p>"
    used = _data_used(m["figures"])
    data = ("<p>Data shown: " + "; ".join(f"<b>{e(u)}</b>" for u in used) + ".</p>"
            if used else "")
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Rhetoric toolkit report</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px}}
img{{width:220px}}.warn{{background:#fff3cd;padding:8px}}.err{{color:#b00}}</style>
</head><body>
<h1>Rhetoric toolkit report</h1>
<p>Generated {e(m['generated_at'])} by toolkit {e(m['toolkit_version'])} in
{m.get('seconds', '?')} s; requested data source: <b>{e(str(m.get('source', '')))}</b>.
Machine-readable: <a href="manifest.json">manifest.json</a>.</p>{data}{warn}
<h2>Notebooks</h2><p>Executed notebooks as HTML; their charts work offline.</p>
<table><tr><th>notebook</th><th>status</th><th>data source</th><th>figures</th>
<th>time</th></tr>{nb_rows}</table>
<h2>Figures</h2><p>Each figure as interactive HTML (offline: it loads the report's
plotly.min.js) and PNG, with a provenance sidecar (<code>.html.json</code>).</p>
<table><tr><th></th><th>figure</th><th>notebook</th><th>source</th>
<th>data range</th><th>generated</th><th>toolkit</th></tr>{fig_rows}</table>
</body></html>"""
