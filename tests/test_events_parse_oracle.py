"""The vectorised parser against a plain-Python reading of its documented rules.

The oracle below re-implements, line by line and with no numpy, what the
:mod:`toolkit.sources.events.parse` docstring promises: which lines are malformed and why, the
per-file daily totals over the well-formed lines, and which rows the actor filter keeps. Seeded
random files with every kind of damage are parsed in mixed batches (``parse_exports``, as the
pipeline does) and one by one; each file's result must match the oracle exactly.
"""

import calendar
import math
from collections import Counter

import numpy as np
import pytest
from gdelt_mirror import V2_NAMES, make_row, to_text

from toolkit.sources.events.index import STREAMS
from toolkit.sources.events.parse import parse_export, parse_exports, rows_to_table

V2 = STREAMS["v2"]
COL = {n: i for i, n in enumerate(V2_NAMES)}
TYPES = dict(V2.columns)


def _day(b: bytes) -> int | None:
    if len(b) != 8 or not b.isdigit():
        return None
    y, m, d = int(b[:4]), int(b[4:6]), int(b[6:])
    ok = 1900 <= y < 2200 and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]
    return int(b) if ok else None


def _check_number(raw: bytes, typ: str) -> str | None:
    """Why a kept row's number does not parse (the module docstring's rules), or None."""
    if typ == "I":
        if not raw.lstrip(b"+-").isdigit() or raw[1:].lstrip(b"0123456789"):
            return "unparsable value in a kept row"
        return None if abs(int(raw)) < 2**53 else \
            "number out of range or not finite in a kept row"
    if typ == "F":
        try:
            x = float(raw)
        except ValueError:
            return "unparsable value in a kept row"
        if b"_" in raw:
            return "unparsable value in a kept row"
        return None if math.isfinite(x) else "number out of range or not finite in a kept row"
    return None


def oracle(data: bytes, actors):
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    rows, bad, kept = 0, {}, []
    totals = {"sqldate": Counter(), "dateadded": Counter()}
    for no, line in enumerate(lines, 1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            continue
        rows += 1
        f = line.split(b"\t")
        if len(f) != 61:
            bad[no] = f"{len(f)} fields instead of 61"
            continue
        sd = _day(f[COL["SQLDATE"]])
        da_raw = f[COL["DATEADDED"]]
        da = _day(da_raw[:8]) if len(da_raw) in (8, 14) and da_raw.isdigit() else None
        na_raw = f[COL["NumArticles"]]
        na = int(na_raw) if 1 <= len(na_raw) <= 9 and na_raw.isdigit() else None
        if sd is None:
            bad[no] = "unparsable SQLDATE"
            continue
        if da is None:
            bad[no] = "unparsable DATEADDED"
            continue
        if na is None:
            bad[no] = "unparsable NumArticles"
            continue
        if f[COL["Actor1CountryCode"]].decode() in actors and \
                f[COL["Actor2CountryCode"]].decode() in actors:
            why = None
            for name, raw in zip(V2_NAMES, f, strict=True):
                why = why or (_check_number(raw, TYPES[name]) if raw else None)
            if why:
                bad[no] = why
                continue
            kept.append(int(f[0]))
        for basis, day in (("sqldate", sd), ("dateadded", da)):
            totals[basis][day] += 1
            totals[basis][(day, "articles")] += na
    return rows, bad, kept, totals


def _got_totals(p):
    out = {"sqldate": Counter(), "dateadded": Counter()}
    for basis, (days, ev, art) in p.day_totals.items():
        for d, e, a in zip(days.tolist(), ev.tolist(), art.tolist(), strict=True):
            out[basis][d] += e
            out[basis][(d, "articles")] += a
    return out


def _assert_matches(p, data, actors):
    rows, bad, kept, totals = oracle(data, actors)
    assert p.rows == rows
    assert p.malformed == len(bad)
    assert p.reasons == dict(Counter(bad.values()))
    assert len(p.examples) == min(5, len(bad))
    assert all(bad.get(ln) == why for ln, why in p.examples)
    assert [r[0] for r in p.kept] == kept
    assert _got_totals(p) == {b: +c for b, c in totals.items()}  # drop zero counts


DAMAGE = [
    lambda f, r: f.append("extra"),
    lambda f, r: f.pop(int(r.integers(1, 60))),
    lambda f, r: f.__setitem__(1, str(r.choice(["2019102", "20190230", "x0191024", "",
                                                 "020191024", "+2019102", "20000229"]))),
    lambda f, r: f.__setitem__(59, str(r.choice(["201910241430", "2019102414300x", "",
                                                  "20191024", "20191332143000"]))),
    lambda f, r: f.__setitem__(33, str(r.choice(["", "-1", "+5", "05", "0", "123456789",
                                                  "1234567890", "1.5"]))),
    lambda f, r: f.__setitem__(30, str(r.choice(["x.y", "", "1e3", "nan", "inf", "-Infinity",
                                                  "1e999", "1_0", "-0.5"]))),
    lambda f, r: f.__setitem__(31, str(r.choice(["99999999999999999999999", "9007199254740991",
                                                  "9007199254740992", "-7", "1_000", "٣",
                                                  " 4", "4.0"]))),
    lambda f, r: f.__setitem__(34, str(r.choice(["NaN", "-inf", "3.25", "1e400"]))),
    lambda f, r: f.__setitem__(int(r.choice([7, 17])), str(r.choice(["RU", "RUSS", "rus"]))),
]


def _random_file(rng, n: int, gid0: int) -> bytes:
    acts = ["RUS", "KOR", "PRK", "USA", "CHN", ""]
    lines = []
    for i in range(n):
        day = int(rng.choice([20191023, 20191024, 20181231]))
        f = make_row(gid0 + i, day, 20191024143000, str(rng.choice(acts)),
                     str(rng.choice(acts)), articles=int(rng.integers(1, 50)))
        if rng.random() < 0.15:
            DAMAGE[int(rng.integers(0, len(DAMAGE)))](f, rng)
        line = "\t".join(f)
        if rng.random() < 0.03:
            line += "\r"
        lines.append(line)
        if rng.random() < 0.03:
            lines.append("")
    text = "\n".join(lines)
    return (text + ("\n" if rng.random() < 0.8 else "")).encode()


@pytest.mark.parametrize("seed", range(8))
def test_batches_of_damaged_and_clean_files_match_the_oracle(seed):
    rng = np.random.default_rng(seed)
    actors = ("RUS", "KOR", "PRK")
    datas = [_random_file(rng, int(rng.integers(1, 120)), 1000 * k) for k in range(5)]
    clean = [to_text([make_row(9000 + i, 20191024, 20191024143000, "RUS", "PRK")
                      for i in range(40)])]
    datas = datas[:2] + clean + datas[2:] + [b""]
    names = [f"f{k}" for k in range(len(datas))]
    batch = parse_exports(datas, V2, actors, names=names)
    for data, name, p in zip(datas, names, batch, strict=True):
        _assert_matches(p, data, actors)
        one = parse_export(data, V2, actors, name=name)
        # repr: a "nan" GoldsteinScale is a valid float, and nan != nan
        assert repr((one.rows, one.malformed, one.reasons, one.examples, one.kept)) == \
            repr((p.rows, p.malformed, p.reasons, p.examples, p.kept))
        assert rows_to_table(p.kept).column("source_file").to_pylist() == [name] * len(p.kept)
    assert batch[2].malformed == 0 and len(batch[2].kept) == 40


def test_nine_digit_article_counts_and_late_lines():
    rows = [make_row(1, 20191024, 20191024143000, "RUS", "KOR", articles=123456789),
            make_row(2, 20191024, 20191024143000, "RUS", "KOR", articles=7)]
    data = to_text(rows)
    p = parse_export(data, V2, ("RUS", "KOR"))
    _assert_matches(p, data, ("RUS", "KOR"))
    assert p.day_totals["sqldate"][2].tolist() == [123456796]


def test_unzip_checks_the_deflate_stream_length_and_crc():
    import io
    import zipfile

    from gdelt_mirror import zip_bytes

    from toolkit.sources.events.unzip import _unzip

    data = to_text([make_row(i, 20191024, 20191024143000, "RUS", "KOR") for i in range(50)])
    blob = zip_bytes("x.export.CSV", data)
    assert _unzip(blob) == data and _unzip(blob, crc=False) == data
    info = zipfile.ZipFile(io.BytesIO(blob)).infolist()[0]
    start = 30 + len(info.filename)
    corrupt = bytearray(blob)
    corrupt[start + 10] ^= 0xFF  # inside the deflate stream
    with pytest.raises(zipfile.BadZipFile):
        _unzip(bytes(corrupt))
    bad_crc = bytearray(blob)
    crc_at = blob.rindex(b"PK\x01\x02") + 16  # the central directory's CRC-32
    bad_crc[crc_at] ^= 0x01
    with pytest.raises(zipfile.BadZipFile, match="CRC"):
        _unzip(bytes(bad_crc))
    assert _unzip(bytes(bad_crc), crc=False) == data  # md5-verified files skip the CRC
    with pytest.raises(zipfile.BadZipFile):
        _unzip(blob[: len(blob) // 2])


def test_unzip_reads_other_zip_layouts_through_zipfile():
    import io
    import zipfile

    from toolkit.sources.events.unzip import _single_member, _unzip

    data = b"1\t2\n" * 100
    for kw in ({"compression": zipfile.ZIP_STORED}, {"compression": zipfile.ZIP_DEFLATED}):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", **kw) as zf:
            zf.writestr("x.export.CSV", data)
        assert _unzip(buf.getvalue(), member="x.export.CSV") == data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.export.CSV", data)
        zf.comment = b"a comment"
    assert _single_member(buf.getvalue()) is None and _unzip(buf.getvalue()) == data


@pytest.mark.parametrize("compression", [0, 8], ids=["stored", "deflated"])
def test_unzip_rejects_a_second_member_a_wrong_name_and_an_oversized_member(compression):
    """A zip with two members is refused, not first-member ingested; so is a member with
    another name, or one that inflates past the cap (checked before inflating)."""
    import io
    import zipfile

    from toolkit.sources.events.unzip import _single_member, _unzip

    data = b"1\t2\n" * 100
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr("x.export.CSV", data)
        zf.writestr("readme.txt", b"not the data")
    assert _single_member(buf.getvalue()) is None
    with pytest.raises(zipfile.BadZipFile, match="holds 2 members"):
        _unzip(buf.getvalue(), member="x.export.CSV")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr("../../etc/x.export.CSV.evil", data)
    with pytest.raises(zipfile.BadZipFile, match="expected 'x.export.CSV'"):
        _unzip(buf.getvalue(), member="x.export.CSV")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr("x.export.CSV", data)
    with pytest.raises(zipfile.BadZipFile, match="inflates to 400 bytes, more than the 399"):
        _unzip(buf.getvalue(), member="x.export.CSV", max_size=399)
    assert _unzip(buf.getvalue(), member="x.export.CSV", max_size=400) == data


def test_unzip_member_longer_than_its_header_says_is_rejected():
    """The header's size bounds the output buffer: a member that inflates further fails."""
    import zipfile

    from gdelt_mirror import zip_bytes

    from toolkit.sources.events.unzip import _unzip

    data = b"a\tb\n" * 1000
    blob = bytearray(zip_bytes("x.export.CSV", data))
    cd = blob.rindex(b"PK\x01\x02")
    blob[cd + 24:cd + 28] = (100).to_bytes(4, "little")  # the central directory's size
    with pytest.raises(zipfile.BadZipFile, match="longer than its header"):
        _unzip(bytes(blob), member="x.export.CSV")


def test_tokenizer_counts_lines_when_they_are_short():
    from toolkit.sources.events.tokenize import tokenize

    data = b"\n" * 1000 + b"a\tb\n" + b"\r\n" * 500 + b"c"
    lines, bounds = tokenize(data, 2, np.array([1]))
    assert len(lines) == 1502 and lines[1000].tolist() == [1000, 1003, 2]
    assert bounds[1000].tolist() == [1002, 1003]
    assert lines[:1000, 2].sum() == 0 and lines[1001:1501, 2].sum() == 0  # blank, CRLF blank
    assert lines[-1].tolist() == [len(data) - 1, len(data), 1]
    p = parse_export(b"\n" * 5000 + to_text([make_row(1, 20191024, 20191024143000, "RUS",
                                                       "KOR")]), V2, ("RUS", "KOR"))
    assert p.rows == 1 and p.malformed == 0 and len(p.kept) == 1


@pytest.mark.parametrize("keep", [{"_KEEP_LINES": 4}, {"_KEEP_SEPS": 8}])
def test_tokenizer_sizes_exactly_when_its_work_space_is_too_small(monkeypatch, keep):
    import threading

    from toolkit.sources.events import tokenize as T

    data = to_text([make_row(i, 20191024, 20191024143000, "RUS", "KOR") for i in range(10)])
    data += b"\n\nshort\tline\r\n"
    want = T.tokenize(data, 61, np.array([1, 59]))
    monkeypatch.setattr(T, "_local", threading.local())
    for name, value in keep.items():
        monkeypatch.setattr(T, name, value)
    got = T.tokenize(data, 61, np.array([1, 59]))
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
    assert len(want[0]) == 13 and want[0][:, 2].tolist() == [61] * 10 + [0, 0, 2]
