"""A GDELT file server in a test: builds a mirror in GDELT's exact formats and serves it.

* :class:`Mirror` writes ``gdeltv2/<stamp>.export.CSV.zip`` (61 tab-separated columns, no
  header), ``gdeltv2/masterfilelist.txt`` (``<bytes> <md5> <url>`` lines, with GDELT's own host
  in the URLs, as the real list has, plus mentions/gkg lines: placeholders to skip, or the
  real lines of the Mentions files added with :meth:`Mirror.add_v2_mentions`, 16 columns)
  and GDELT 1.0 ``events/YYYYMMDD.export.CSV.zip`` (58 columns).
* :class:`MirrorServer` serves it from a threaded ``http.server`` on 127.0.0.1 with injectable
  faults per path, consumed one per request: ``"404"``, ``"500"``, ``("429", seconds)``,
  ``("slow", seconds)`` (sleeps before answering), ``"corrupt"`` (same length, wrong bytes:
  md5 mismatch), ``"truncate"`` (promises the full length, sends half, closes), ``"short"``
  (a truncated zip with a matching Content-Length: size mismatch), ``("hang", seconds)``
  (sends half, then stalls), ``("trickle", (nbytes, seconds))`` (promises the full length,
  then sends ``nbytes`` every ``seconds``), ``("body", data)`` (answers 200 with ``data``
  instead of the file: e.g. an HTML page for the master list), ``("oversize", nbytes)``
  (the file then ``nbytes`` of junk, without a Content-Length). Every request is logged in
  ``requests``; bytes sent per path by ``trickle``/``oversize`` in ``sent``.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd

from toolkit.sources.events.index import V1_COLUMNS, V2_COLUMNS

V2_NAMES = [n for n, _ in V2_COLUMNS]
V1_NAMES = [n for n, _ in V1_COLUMNS]


def make_row(gid: int, sqldate: int, dateadded: int, a1: str = "", a2: str = "", *,
             root: str = "04", quad: int = 1, gold: float = 1.0, mentions: int = 4,
             sources: int = 2, articles: int = 3, tone: float = -1.25, is_root: int = 1,
             action_geo: str = "", v1: bool = False) -> list[str]:
    """One GDELT events row as strings (61 fields, or 58 for ``v1``)."""
    r = dict.fromkeys(V2_NAMES, "")
    r.update({
        "GLOBALEVENTID": str(gid), "SQLDATE": str(sqldate), "MonthYear": str(sqldate)[:6],
        "Year": str(sqldate)[:4], "FractionDate": f"{int(str(sqldate)[:4]) + 0.5:.4f}",
        "Actor1Code": a1, "Actor1Name": a1 and f"NAME {a1}", "Actor1CountryCode": a1,
        "Actor2Code": a2, "Actor2Name": a2 and f"NAME {a2}", "Actor2CountryCode": a2,
        "IsRootEvent": str(is_root), "EventCode": root + "0", "EventBaseCode": root + "0",
        "EventRootCode": root, "QuadClass": str(quad), "GoldsteinScale": repr(float(gold)),
        "NumMentions": str(mentions), "NumSources": str(sources), "NumArticles": str(articles),
        "AvgTone": repr(float(tone)), "Actor1Geo_Type": "0", "Actor2Geo_Type": "0",
        "ActionGeo_Type": "4" if action_geo else "0", "ActionGeo_CountryCode": action_geo,
        "ActionGeo_FullName": "Moscow, Moskva, Russia" if action_geo == "RS" else "",
        "DATEADDED": str(dateadded), "SOURCEURL": f"https://example.org/news/{gid}",
    })
    names = V1_NAMES if v1 else V2_NAMES
    return [r[n] for n in names]


def to_text(rows: list[list[str]]) -> bytes:
    return "".join("\t".join(r) + "\n" for r in rows).encode()


def zip_bytes(member: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)
    return buf.getvalue()


class Mirror:
    """A directory laid out like data.gdeltproject.org."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.v2: dict[str, tuple[int, str]] = {}  # name -> (size, md5)
        self.v2t: dict[str, tuple[int, str]] = {}
        self.texts: dict[str, bytes] = {}  # file name -> unzipped content served
        self.v2m: dict[str, tuple[int, str]] = {}  # Mentions files: name -> (size, md5)
        self.v2tm: dict[str, tuple[int, str]] = {}
        self.mention_texts: dict[str, bytes] = {}  # Mentions file name -> content served

    def _put(self, rel: str, data: bytes) -> tuple[int, str]:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return len(data), hashlib.md5(data).hexdigest()

    def add_v2(self, stamp: str, content: bytes | list[list[str]], *,
               translation: bool = False, listed: bool = True) -> str:
        """Add a 15-minute export (rows or raw bytes); returns its file name."""
        return self._add_v2_file(stamp, content, "export", translation, listed)

    def add_v2_zip(self, stamp: str, blob: bytes, *, listed: bool = True,
                   kind: str = "export") -> str:
        """Add a 15-minute file (``kind`` export or mentions) as the given zip bytes (any
        content); returns its name."""
        name = f"{stamp}.{kind}.CSV.zip"
        meta = self._put(f"gdeltv2/{name}", blob)
        if listed:
            (self.v2m if kind == "mentions" else self.v2)[name] = meta
        return name

    def add_v2_mentions(self, stamp: str, content: bytes | list[list[str]], *,
                        translation: bool = False, listed: bool = True) -> str:
        """Add a 15-minute Mentions file (rows of 16 fields, or raw bytes); returns its name.
        Listed in the master list with its real size and md5 (instead of a placeholder)."""
        return self._add_v2_file(stamp, content, "mentions", translation, listed)

    def _add_v2_file(self, stamp: str, content: bytes | list[list[str]], what: str,
                     translation: bool, listed: bool) -> str:
        """Zip and store one GDELT 2.0 file (``what``: export or mentions); returns its name."""
        data = content if isinstance(content, bytes) else to_text(content)
        name = f"{stamp}.{'translation.' if translation else ''}{what}.CSV.zip"
        meta = self._put(f"gdeltv2/{name}", zip_bytes(name[:-4], data))
        if listed:
            lists = {"export": (self.v2, self.v2t), "mentions": (self.v2m, self.v2tm)}
            lists[what][translation][name] = meta
        (self.texts if what == "export" else self.mention_texts)[name] = data
        return name

    def add_v1(self, day: str, content: bytes | list[list[str]]) -> str:
        data = content if isinstance(content, bytes) else to_text(content)
        name = f"{day}.export.CSV.zip"
        self._put(f"events/{name}", zip_bytes(name[:-4], data))
        self.texts[name] = data
        return name

    def write_index(self) -> None:
        """Write masterfilelist(-translation).txt as GDELT does (absolute GDELT URLs)."""
        host = "http://data.gdeltproject.org/gdeltv2/"
        for fname, files, mentions, tr in (("masterfilelist.txt", self.v2, self.v2m, ""),
                                           ("masterfilelist-translation.txt", self.v2t,
                                            self.v2tm, "translation.")):
            lines = []
            for stamp in sorted({n[:14] for n in files} | {n[:14] for n in mentions}):
                name = f"{stamp}.{tr}export.CSV.zip"
                if name in files:
                    size, md5 = files[name]
                    lines.append(f"{size} {md5} {host}{name}")
                mname = f"{stamp}.{tr}mentions.CSV.zip"
                if mname in mentions:
                    size, md5 = mentions[mname]
                    lines.append(f"{size} {md5} {host}{mname}")
                elif not self.v2m and not self.v2tm:  # a placeholder line to skip
                    lines.append(f"1234 {'0' * 32} {host}{stamp}.mentions.CSV.zip")
                lines.append(f"5678 {'f' * 32} {host}{stamp}.gkg.csv.zip")
            self._put(f"gdeltv2/{fname}", ("\n".join(lines) + "\n").encode())

    def frame(self, names=None) -> pd.DataFrame:
        """The served rows of the given files (default all) as a str DataFrame, with the
        number of fields of each line in ``_nfields`` (malformed lines included)."""
        recs = []
        for name, data in self.texts.items():
            if names is not None and name not in names:
                continue
            cols = V1_NAMES if name[8] == "." else V2_NAMES
            for line in data.decode().splitlines():
                if not line:
                    continue
                f = line.split("\t")
                rec = dict(zip(cols, f, strict=False)) if len(f) == len(cols) else {}
                rec["_nfields"] = len(f)
                rec["_ok_fields"] = len(f) == len(cols)
                rec["_file"] = name
                recs.append(rec)
        return pd.DataFrame(recs)


class MirrorServer:
    """Serve a :class:`Mirror` on 127.0.0.1 with injectable faults."""

    def __init__(self, mirror: Mirror):
        self.mirror = mirror
        self.faults: dict[str, list] = {}
        self.ranges_supported = True  # answer "Range: bytes=N-" with 206 / 416
        self.requests: list[str] = []
        self.sent: dict[str, int] = {}  # path -> bytes sent by trickle/oversize answers
        self.times: list[tuple[str, float]] = []  # (path, time.monotonic()) per request
        self.ranges: list[tuple[str, str, int]] = []  # (path, Range header, status) answered
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes; with Nagle's algorithm on, each request
            # waited ~40 ms for the client's delayed ACK (a month of 15-minute files: minutes)
            disable_nagle_algorithm = True

            def log_message(self, *a):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                path = self.path.split("?")[0]
                with server._lock:
                    server.requests.append(path)
                    server.times.append((path, time.monotonic()))
                    q = server.faults.get(path)
                    fault = q.pop(0) if q else None
                kind, arg = (fault if isinstance(fault, tuple) else (fault, None))
                if kind == "slow":
                    time.sleep(arg)
                if kind == "body":
                    return self._send(200, arg, {"Content-Type": "text/html"})
                if kind == "404" or not (server.mirror.root / path.lstrip("/")).is_file():
                    return self._send(404, b"Not Found")
                if kind == "500":
                    return self._send(500, b"Internal Server Error")
                if kind == "429":
                    return self._send(429, b"Too Many Requests", {"Retry-After": str(arg)})
                data = (server.mirror.root / path.lstrip("/")).read_bytes()
                if kind == "trickle":  # (a Range header is ignored: the whole file, slowly)
                    return self._trickle(path, data, *arg)
                rng = self.headers.get("Range")
                if rng and server.ranges_supported and rng.startswith("bytes=") \
                        and rng.endswith("-"):
                    lo = int(rng[6:-1])
                    status = 206 if lo < len(data) else 416
                    server.ranges.append((path, rng, status))
                    if status == 416:
                        return self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                    return self._send(206, data[lo:], {
                        "Content-Range": f"bytes {lo}-{len(data) - 1}/{len(data)}"})
                if kind == "corrupt":
                    data = bytes(b ^ 0x5A for b in data[:64]) + data[64:]
                if kind == "short":
                    data = data[: len(data) // 2]
                if kind == "oversize":
                    return self._oversize(path, data, arg)
                if kind in ("truncate", "hang"):
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    if kind == "hang":
                        time.sleep(arg)
                    self.close_connection = True
                    return
                self._send(200, data, {"Content-Type": "application/zip"})

            def _count(self, path, n):
                with server._lock:
                    server.sent[path] = server.sent.get(path, 0) + n

            def _trickle(self, path, data, nbytes, seconds):
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.close_connection = True
                try:
                    for i in range(0, len(data), nbytes):
                        self.wfile.write(data[i:i + nbytes])
                        self.wfile.flush()
                        self._count(path, len(data[i:i + nbytes]))
                        time.sleep(seconds)
                except OSError:
                    pass  # the client hung up

            def _oversize(self, path, data, extra):
                self.send_response(200)
                self.send_header("Connection", "close")  # a body delimited by the close
                self.end_headers()
                self.close_connection = True
                junk = b"\0" * (1 << 16)
                try:
                    self.wfile.write(data)
                    self._count(path, len(data))
                    for _ in range(extra // len(junk)):
                        self.wfile.write(junk)
                        self._count(path, len(junk))
                except OSError:
                    pass

            def _send(self, code, body, headers=None):
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # clients that time out and hang up are part of the tests

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> MirrorServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> MirrorServer:
        """``with MirrorServer(m) as srv:`` serves for the block, then stops."""
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def fault(self, name: str, *faults) -> None:
        """Queue faults for a data file of the mirror (name or path)."""
        path = name if name.startswith("/") else (
            f"/events/{name}" if name[8] == "." else f"/gdeltv2/{name}")
        self.faults.setdefault(path, []).extend(faults)

    def data_requests(self) -> list[str]:
        """Requests for data files (zips), in order."""
        return [p for p in self.requests if p.endswith(".zip")]
