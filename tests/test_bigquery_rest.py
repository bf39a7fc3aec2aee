"""The REAL google-cloud-bigquery client against a stand-in BigQuery REST API on 127.0.0.1.

Nothing of the client library is faked: ``bigquery.Client`` (anonymous credentials, endpoint
pointed at a local ``http.server``) sends its real ``jobs.insert`` and ``getQueryResults``
requests. The stand-in answers dry runs with modelled bytes, refuses jobs above their
``maximumBytesBilled`` as BigQuery does, and executes real queries by running the SQL in DuckDB
on the events fixture. So the toolkit's use of the library (job configuration, attributes read,
rows fetched over REST as Arrow) is checked end to end, offline.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

pytest.importorskip("google.cloud.bigquery", reason="install the [bigquery] extra")

from google.auth.credentials import AnonymousCredentials  # noqa: E402
from google.cloud import bigquery  # noqa: E402
from test_bigquery_sql import (  # noqa: E402
    END,
    START,
    assert_cubes_equal,
    events_frame,
    expected_cube,
    expected_totals,
    fixture_rows,
    run_bigquery_sql_locally,
)

import toolkit  # noqa: E402
from toolkit import schema as S  # noqa: E402
from toolkit.sources.bigquery import fetch as B  # noqa: E402
from toolkit.sources.bigquery import sizes as Z  # noqa: E402


@pytest.fixture(autouse=True)
def _no_real_google_auth(monkeypatch):
    """No test may look up real credentials (or probe a metadata server)."""
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    def blocked(*a, **k):
        raise DefaultCredentialsError("real credential lookup blocked in tests")

    monkeypatch.setattr(google.auth, "default", blocked)


_BQ_TYPES = {"date": "DATE", "code": "STRING", "int": "INTEGER", "float": "FLOAT"}


class FakeBigQueryAPI:
    """A tiny BigQuery REST API: jobs.insert and jobs.getQueryResults, logged."""

    def __init__(self, events: pd.DataFrame, *, scale: int = 1):
        self.events, self.scale = events, scale
        self.inserts: list[dict] = []
        self.results: dict[str, pd.DataFrame] = {}
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _send(self, code: int, obj: dict) -> None:
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802
                n = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(n) or b"{}")
                code, obj = api.insert(urlparse(self.path).path, body)
                self._send(code, obj)

            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                code, obj = api.get_results(url.path.rsplit("/", 1)[-1], parse_qs(url.query))
                self._send(code, obj)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def insert(self, path: str, body: dict) -> tuple[int, dict]:
        self.inserts.append(body)
        cfg = body["configuration"]
        sql = cfg["query"]["query"]
        n_bytes = Z.query_bytes(sql, self.events) * self.scale
        limit = int(cfg["query"].get("maximumBytesBilled", 0) or 0)
        ref = {"projectId": path.split("/")[4], "location": "US",
               "jobId": body.get("jobReference", {}).get("jobId") or str(uuid.uuid4())}
        if not cfg.get("dryRun") and limit and n_bytes > limit:
            msg = f"Query exceeded limit for bytes billed: {limit}. {n_bytes} or higher required."
            return 400, {"error": {"code": 400, "message": msg, "status": "INVALID_ARGUMENT",
                                   "errors": [{"reason": "bytesBilledLimitExceeded",
                                               "message": msg}]}}
        billed = 0 if cfg.get("dryRun") else max(n_bytes, B.MIN_BILLED_BYTES)
        if not cfg.get("dryRun"):
            schema = S.CUBE if "Actor1CountryCode AS source" in sql else S.DAILY_TOTALS
            self.results[ref["jobId"]] = run_bigquery_sql_locally(sql, self.events, schema)
        return 200, {"kind": "bigquery#job", "jobReference": ref, "configuration": cfg,
                     "status": {"state": "DONE"},
                     "statistics": {"totalBytesProcessed": str(n_bytes),
                                    "query": {"totalBytesProcessed": str(n_bytes),
                                              "totalBytesBilled": str(billed),
                                              "cacheHit": False}}}

    def get_results(self, job_id: str, query: dict) -> tuple[int, dict]:
        df = self.results[job_id]
        schema = S.CUBE if "source" in df.columns else S.DAILY_TOTALS
        out = {"kind": "bigquery#getQueryResultsResponse", "jobComplete": True,
               "jobReference": {"projectId": "p", "jobId": job_id, "location": "US"},
               "schema": {"fields": [{"name": c.name, "type": _BQ_TYPES[c.kind],
                                      "mode": "NULLABLE"} for c in schema.columns]},
               "totalRows": str(len(df))}
        if query.get("maxResults") == ["0"]:
            return 200, out
        rows = []
        for rec in df.to_dict("records"):
            cells = []
            for c in schema.columns:
                v = rec[c.name]
                cells.append({"v": f"{v:%Y-%m-%d}" if c.kind == "date" else str(v)})
            rows.append({"f": cells})
        out["rows"] = rows
        return 200, out

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def api():
    server = FakeBigQueryAPI(events_frame(fixture_rows(), blank_as_null=True))
    yield server
    server.stop()


def _client(api: FakeBigQueryAPI) -> bigquery.Client:
    return bigquery.Client(project="rest-project", credentials=AnonymousCredentials(),
                           client_options={"api_endpoint": api.url})


def test_real_client_fetch_through_rest(api, data_dir):
    report = B.fetch_bigquery(START, END, client=_client(api), max_gb=3, verbose=False)
    # what the library actually sent: two dry runs, then two jobs, all with a ceiling: the
    # dry runs the fetch's, the jobs their shares of it (together never above it)
    assert [bool(b["configuration"].get("dryRun")) for b in api.inserts] == [True, True, False,
                                                                            False]
    caps = [int(b["configuration"]["query"]["maximumBytesBilled"]) for b in api.inserts]
    assert caps[:2] == [3 * 10**9] * 2 and 0 < caps[2] < 3 * 10**9 and 0 < caps[3] < 3 * 10**9
    rec_billed = [q["bytes_billed"] for q in B.fetches(data_dir)[0]["queries"]]
    assert caps[2] == 3 * 10**9 - rec_billed[1] and caps[3] == 3 * 10**9 - rec_billed[0]
    for body in api.inserts:
        q = body["configuration"]["query"]
        assert q["useLegacySql"] is False
        assert body["configuration"]["labels"] == B.JOB_LABELS
    assert api.inserts[0]["configuration"]["query"]["useQueryCache"] is False
    assert api.inserts[2]["configuration"]["query"]["query"] == B.bigquery_sql(START, END)
    # what came back, cached and loaded
    cube = toolkit.load_cube(START, END, source="bigquery")
    assert_cubes_equal(cube, expected_cube(api.events))
    totals = toolkit.load_daily_totals(START, END, source="bigquery")
    pd.testing.assert_frame_equal(totals, expected_totals(api.events))
    rec = B.fetches(data_dir)[0]
    assert [q["job_id"] for q in rec["queries"]] == report.job_ids == list(api.results)
    assert all(q["bytes_billed"] >= B.MIN_BILLED_BYTES and q["location"] == "US"
               for q in rec["queries"])
    assert report.estimated_bytes == sum(q["estimated_bytes"] for q in rec["queries"]) > 0


def test_real_client_estimate_and_refusal(data_dir):
    api = FakeBigQueryAPI(events_frame(fixture_rows()), scale=10**7)
    try:
        est = B.estimate_bigquery(START, END, client=_client(api))
        assert est.project == "rest-project"
        assert est.comparison.bytes_processed > est.bytes_processed > 10**9
        with pytest.raises(B.CostLimitExceeded, match="--max-gb"):
            B.fetch_bigquery(START, END, client=_client(api), max_gb=1, verbose=False)
        assert all(b["configuration"].get("dryRun") for b in api.inserts)
        # a job that gets past an (under)estimate is still stopped by BigQuery's own ceiling
        with pytest.raises(B.BigQueryError, match="exceeded limit for bytes billed"):
            B._run(_client(api), B.bigquery_sql(START, END), max_bytes_billed=10**9)
        assert B.fetches(data_dir) == []
    finally:
        api.stop()
