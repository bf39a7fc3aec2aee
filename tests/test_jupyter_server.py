"""A real JupyterLab server on 127.0.0.1: notebooks and the explorer through a real kernel.

The server is started in its own process session with a random token and a private root,
runtime, config, settings and IPython dir, then driven through its REST API and the kernel
websocket exactly as the JupyterLab frontend drives it, and finally through the frontend itself
in headless Chromium (the explorer's widgets rendering and updating the chart in the browser).
It is always shut down (API first, then the process group).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from conftest import REPO

pytestmark = pytest.mark.slow
websocket = pytest.importorskip("websocket", reason="websocket-client is a dev dependency")


class Server:
    def __init__(self, url: str, token: str, proc: subprocess.Popen, root: Path):
        self.url, self.token, self.proc, self.root = url, token, proc, root
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    def api(self, method: str, path: str, **kw) -> requests.Response:
        r = self.http.request(method, f"{self.url}{path}", timeout=30, **kw)
        r.raise_for_status()
        return r


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("jupyter")
    token = secrets.token_hex(16)
    env = dict(os.environ)
    env.update({
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"), "JUPYTER_CONFIG_DIR": str(base / "config"),
        "IPYTHONDIR": str(base / "ipython"), "JUPYTER_PLATFORM_DIRS": "1",
        "TOOLKIT_DATA_DIR": str(base / "cache"), "TOOLKIT_SOURCE": "demo",
    })
    env.pop("TOOLKIT_FIGURES_DIR", None)
    # JupyterLab on a private root holding a copy of the quickstart (tests add notebooks there)
    root = base / "root"
    root.mkdir()
    shutil.copy(REPO / "notebooks" / "01-quickstart.ipynb", root)
    settings = base / "lab-settings"
    quiet = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    quiet.parent.mkdir(parents=True)
    quiet.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env.update({"JUPYTERLAB_SETTINGS_DIR": str(settings),
                "JUPYTERLAB_WORKSPACES_DIR": str(base / "lab-workspaces")})
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           "--ServerApp.port=0", f"--IdentityProvider.token={token}",
           "--ServerApp.allow_root=True", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True"]
    log = open(base / "server.log", "wb")  # noqa: SIM115 (closed in the finaliser)
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    srv = None
    try:
        info = base / "runtime" / f"jpserver-{proc.pid}.json"
        deadline = time.monotonic() + 60
        while srv is None:
            if proc.poll() is not None:
                pytest.fail(f"jupyter server exited: {(base / 'server.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("jupyter server did not start within 60 s")
            if info.exists():
                try:
                    port = json.loads(info.read_text())["port"]
                except (ValueError, KeyError):
                    port = None
                if port:
                    cand = Server(f"http://127.0.0.1:{port}", token, proc, root)
                    try:
                        cand.api("GET", "/api/status")
                        srv = cand
                    except requests.RequestException:
                        pass
            time.sleep(0.2)
        yield srv
    finally:
        if srv is not None:
            try:
                srv.api("POST", "/api/shutdown")
                proc.wait(10)
            except (requests.RequestException, subprocess.TimeoutExpired):
                pass
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _decode(frame: str | bytes) -> dict:
    # Messages with binary buffers (widget updates) arrive as binary frames: a uint32 count n,
    # n uint32 offsets, the JSON message, then the buffers (jupyter_server's legacy protocol).
    if isinstance(frame, str):
        return json.loads(frame)
    n = struct.unpack("!I", frame[:4])[0]
    offsets = struct.unpack(f"!{n}I", frame[4: 4 + 4 * n])
    return json.loads(frame[offsets[0]: offsets[1] if n > 1 else None])


class Kernel:
    """Minimal Jupyter messaging client over the server's kernel websocket (JSON protocol)."""

    def __init__(self, server: Server, kernel_id: str):
        url = server.url.replace("http://", "ws://")
        self.ws = websocket.create_connection(
            f"{url}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}",
            header=[f"Authorization: token {server.token}"], timeout=120)
        self.session = uuid.uuid4().hex

    def send(self, msg_type: str, content: dict, channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                       "username": "test", "version": "5.3",
                       "date": datetime.now(UTC).isoformat()},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
            "buffers": []}))
        return msg_id

    def collect(self, msg_id: str) -> list[dict]:
        """iopub messages caused by ``msg_id`` until the kernel is idle again."""
        out = []
        while True:
            msg = _decode(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["channel"] == "iopub":
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return out
                out.append(msg)

    def execute(self, code: str) -> list[dict]:
        msgs = self.collect(self.send("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}))
        errors = [m["content"] for m in msgs if m["msg_type"] == "error"]
        assert not errors, f"{errors[0]['ename']}: {errors[0]['evalue']}\n{code}"
        return msgs

    def stdout(self, code: str) -> str:
        return "".join(m["content"]["text"] for m in self.execute(code)
                       if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")

    def close(self):
        self.ws.close()


@pytest.fixture
def session(server):
    """A kernel started for a notebook session, as JupyterLab does when a notebook opens."""
    created = []

    def start(path: str) -> Kernel:
        s = server.api("POST", "/api/sessions", json={
            "path": path, "type": "notebook", "name": Path(path).name,
            "kernel": {"name": "python3"}}).json()
        created.append(s["id"])
        return Kernel(server, s["kernel"]["id"])

    kernels = []
    yield lambda path: kernels.append(start(path)) or kernels[-1]
    for k in kernels:
        k.close()
    for sid in created:
        server.api("DELETE", f"/api/sessions/{sid}")


def test_server_lists_the_notebooks(server):
    names = {c["name"] for c in server.api("GET", "/api/contents/").json()["content"]}
    assert "01-quickstart.ipynb" in names
    assert server.api("GET", "/api/status").json()["started"]
    assert "python3" in server.api("GET", "/api/kernelspecs").json()["kernelspecs"]


def test_quickstart_runs_in_a_real_kernel(server, session):
    nb = server.api("GET", "/api/contents/01-quickstart.ipynb").json()["content"]
    kernel = session("01-quickstart.ipynb")
    cwd = kernel.stdout("import os; print(os.getcwd())").strip()
    assert Path(cwd) == server.root
    shown = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            shown += [m["content"]["data"] for m in kernel.execute(cell["source"])
                      if m["msg_type"] in ("display_data", "execute_result")]
    plots = [d for d in shown if "application/vnd.plotly.v1+json" in d]
    assert plots, "the notebook showed no plotly figure"
    for d in plots:
        assert "Plotly.newPlot" in d["text/html"]
        texts = " ".join(a.get("text", "") for a in
                         d["application/vnd.plotly.v1+json"]["layout"].get("annotations", []))
        assert "synthetic demo data" in texts
    # plotly.js is embedded once per kernel, in the first figure only
    assert sum("Plotly.newPlot" in d["text/html"] and len(d["text/html"]) > 1_000_000
               for d in plots) == 1
    assert kernel.stdout("print(cube.attrs['source'])").strip() == "demo"


def explorer_notebook(source: str) -> dict:
    """A notebook of one code cell (id ``explorer``) holding ``source``, for the lab to run."""
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "cells": [{"cell_type": "code", "id": "explorer", "metadata": {}, "outputs": [],
                   "execution_count": None, "source": source}],
    }


# as in notebooks/02: weekly, 4-week window, every milestone category
EXPLORER_NB = explorer_notebook("import toolkit\n"
                                "ex = toolkit.explore(source='demo', start='2025-01-01', "
                                "end='2026-10-31', freq='W', rolling=4)\nex")
PLOT = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea .js-plotly-plot"


@pytest.fixture(scope="module")
def lab(server):
    """Headless Chromium (Debian's) on the server's JupyterLab, with no network but the server."""
    from visual import headless_chromium

    with headless_chromium() as browser:
        yield browser


def open_and_run(lab, server, name: str, *, plots: int = 1):
    """Open ``name`` in JupyterLab, Run All, wait until ``plots`` charts are drawn.

    Returns (page, log); the caller closes the page.
    """
    from visual import ConsoleLog

    page = lab.new_page(viewport={"width": 1400, "height": 1000})
    log = ConsoleLog(page, local=(server.url,))
    page.goto(f"{server.url}/lab/tree/{name}?reset&token={server.token}", timeout=120_000)
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session &&"
        " w.sessionContext.session.kernel; return k && k.status === 'idle'; }",
        timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "([sel, n]) => [...document.querySelectorAll(sel)].filter(d => d._fullLayout &&"
        " d.querySelector('svg.main-svg')).length >= n", arg=[PLOT, plots], timeout=300_000)
    # Run All is done when the kernel is idle and no cell waits ([*])
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const k = w.sessionContext.session.kernel;"
        " return k.status === 'idle' && ![...document.querySelectorAll("
        "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]"
        ".some(p => p.textContent.includes('*')); }", timeout=300_000)
    page.wait_for_timeout(500)  # let plotly finish its relayout
    return page, log


def _shut_kernels(server) -> None:
    # each notebook opened in the lab started a kernel: stop them (memory, CPU on CI)
    for sess in server.api("GET", "/api/sessions").json():
        server.api("DELETE", f"/api/sessions/{sess['id']}")


def _shot(page, name: str) -> None:
    # TOOLKIT_SCREENSHOT_DIR=<dir> keeps a picture of what the user saw (for bug reports)
    d = os.environ.get("TOOLKIT_SCREENSHOT_DIR")
    if d:
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea").first \
            .screenshot(path=str(Path(d) / f"{name}.png"))


def _explorer_view(page) -> tuple[list[str], str]:
    from visual import inspect_plots, problems

    plots = inspect_plots(page, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea")
    assert len(plots) == 1, f"expected the explorer's chart, found {len(plots)}"
    return problems(plots, require_dates=True), plots[0]["title"]


_SIGNATURE = """sel => { const gd = document.querySelector(sel);
  if (!gd || !gd.data) return '';
  return JSON.stringify([gd.layout.title && gd.layout.title.text, gd.data.length,
                         gd.data.map(t => (t.x || []).length), (gd.layout.shapes || []).length,
                         (gd.layout.xaxis || {}).range]); }"""


def _after(page, action, what: str) -> None:
    """Do ``action`` (a user's click or choice) and wait until the kernel has redrawn the chart."""
    before = page.evaluate(_SIGNATURE, PLOT)
    action()
    page.wait_for_function(f"([sel, old]) => ({_SIGNATURE})(sel) !== old", arg=[PLOT, before],
                           timeout=60_000)
    # A control can send several updates (a slider moved by five key presses); wait until the
    # chart has stopped changing, then for plotly's relayout, so the view read is the final one.
    last, deadline = None, time.monotonic() + 60
    while time.monotonic() < deadline:
        now = page.evaluate(_SIGNATURE, PLOT)
        if now == last:
            break
        last = now
        page.wait_for_timeout(1000)
    page.wait_for_timeout(400)


def test_explorer_in_jupyterlab_looks_right_through_its_controls(server, lab):
    """The live explorer as a user sees it: date ticks, placed labels, whole legend, no
    console error, on first draw and after each control: index (threat rate), frequency
    (month), dyads, smoothing, range, milestone categories; then the export button."""
    server.api("PUT", "/api/contents/explorer.ipynb",
               json={"type": "notebook", "format": "json", "content": EXPLORER_NB})
    page, log = open_and_run(lab, server, "explorer.ipynb")
    out = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea")
    steps = {
        "first draw": None,
        "index → threat_rate": lambda: out.locator(".widget-dropdown select").first
        .select_option("threat_rate"),
        "frequency → month": lambda: out.locator("button", has_text="month").click(),
        "dyads → RUS→KOR, KOR→RUS": lambda: out.locator("select[multiple]").first
        .select_option(["RUS→KOR", "KOR→RUS"]),
        "frequency → day": lambda: out.locator("button", has_text="day").click(),
        "smoothing → 7": lambda: [out.locator(".widget-slider .noUi-handle").first.press(
            "ArrowRight") for _ in range(3)],
        "range → from 2025-06": lambda: [out.locator(".widget-slider .noUi-handle-lower")
                                         .last.press("ArrowRight") for _ in range(5)],
        "milestones → war, diplomacy": lambda: out.locator("select[multiple]").last
        .select_option(["diplomacy", "war"]),
    }
    found = {}
    try:
        for name, action in steps.items():
            if action is not None:
                _after(page, action, name)
            seen, title = _explorer_view(page)
            found.update({f"{name}: {s}": None for s in seen + log.errors})
            log.errors.clear()
            if name == "first draw":
                _shot(page, "explorer")
                assert "weekly" in title
        _shot(page, "explorer-last-view")
        assert title.startswith("Volume by dyad (daily, trailing") or "daily" in title
        out.locator("button", has_text="Export this view").click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-OutputArea .widget-html')]"
            ".some(e => e.textContent.includes('exported'))", timeout=60_000)
        found.update({f"export: {e}": None for e in log.errors})
    finally:
        page.close()
        _shut_kernels(server)
    assert list(found) == []
    assert log.blocked == [], f"JupyterLab tried to reach the network: {log.blocked[:3]}"
    exported = list((server.root / "figures").glob("explorer-*.html"))
    assert len(exported) == 1 and exported[0].with_suffix(".html.json").exists()


NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_charts_in_jupyterlab_look_right(server, lab, name):
    """Run All of each notebook in JupyterLab: every chart drawn, readable, no console error."""
    from visual import inspect_plots, problems

    src = json.loads((REPO / "notebooks" / name).read_text())
    shown = sum("toolkit.show(" in "".join(c["source"]) or "explore(" in "".join(c["source"])
                for c in src["cells"] if c["cell_type"] == "code")
    server.api("PUT", f"/api/contents/{name}",
               json={"type": "notebook", "format": "json", "content": src})
    page, log = open_and_run(lab, server, name, plots=shown)
    try:
        errors = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                              ".jp-OutputArea-output[data-mime-type="
                              "'application/vnd.jupyter.stderr'] pre").all_inner_texts()
        tracebacks = [e for e in errors if "Traceback" in e or "Error" in e.split("\n")[0]]
        plots = inspect_plots(page, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea")
    finally:
        page.close()
        _shut_kernels(server)
    assert tracebacks == []
    assert len(plots) >= shown
    seen = problems(plots)
    assert seen == [] and log.errors == [], "\n".join(seen + log.errors)
    assert log.blocked == [], f"JupyterLab tried to reach the network: {log.blocked[:3]}"
