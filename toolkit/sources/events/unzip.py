"""The CSV member of a GDELT zip, read in memory: :func:`_unzip`.

Every GDELT file (15-minute export, Mentions file, 1.0 daily file) is a zip holding one CSV.
The run (:mod:`toolkit.sources.events.fetch`) reads each verified zip once and asks this
module for its member: the two zip headers are read with :mod:`struct` (:func:`_single_member`,
falling back to :mod:`zipfile` for anything unusual), the member's name and announced size are
checked before anything is inflated (:func:`_check_member`, bounded by
:data:`~toolkit.sources.events.download.MAX_MEMBER_BYTES`), and the data is inflated with
libdeflate into a buffer of exactly that size, with its CRC-32 checked unless the run has just
proven the bytes by their md5.
"""

from __future__ import annotations

import io
import struct
import zipfile

from .download import MAX_MEMBER_BYTES

_EOCD = struct.Struct("<4s4H2LH")  # zip end-of-central-directory record (22 bytes)
_CDIR = struct.Struct("<4s6H3L5H2L")  # central directory file header (46 bytes)


def _single_member(blob: bytes) -> tuple[int, int, int, int, str] | None:
    """(data offset, compressed size, size, CRC-32, name) of a zip's only, deflated member.

    GDELT's zips hold one CSV each; reading their two headers with :mod:`struct` is ~20x
    cheaper than building a :class:`zipfile.ZipFile`. None for anything else (several
    members, a comment, zip64, another method): :func:`_unzip` then uses :mod:`zipfile`.
    """
    if len(blob) < _EOCD.size or blob[-_EOCD.size:-_EOCD.size + 4] != b"PK\x05\x06":
        return None
    _, _, _, _, entries, _, cd, _ = _EOCD.unpack_from(blob, len(blob) - _EOCD.size)
    if entries != 1 or cd + _CDIR.size > len(blob):
        return None
    f = _CDIR.unpack_from(blob, cd)
    sig, method, crc, csize, size, nlen, local = f[0], f[4], f[7], f[8], f[9], f[10], f[16]
    if sig != b"PK\x01\x02" or method != zipfile.ZIP_DEFLATED or 0xFFFFFFFF in (csize, size,
                                                                                  local):
        return None
    name = blob[cd + _CDIR.size:cd + _CDIR.size + nlen].decode("utf-8", "replace")
    return _data_start(blob, local), csize, size, crc, name


def _data_start(blob: bytes, local: int) -> int:
    """Offset of a member's data: past its local header (30 bytes, name, extra field)."""
    head = blob[local:local + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local file header")
    return local + 30 + int.from_bytes(head[26:28], "little") \
        + int.from_bytes(head[28:30], "little")


def _check_member(name: str, size: int, member: str | None, max_size: int) -> None:
    if member is not None and name.rsplit("/", 1)[-1].lower() != member.lower():
        raise zipfile.BadZipFile(f"its member is {name[:80]!r}, expected {member!r}")
    if size > max_size:
        raise zipfile.BadZipFile(
            f"its member inflates to {size:,} bytes, more than the {max_size:,} allowed "
            "(far above any real GDELT file; --max-member-mb raises the limit)")


def _unzip(blob: bytes, *, crc: bool = True, member: str | None = None,
           max_size: int = MAX_MEMBER_BYTES) -> bytes:
    """The CSV member of a GDELT zip held in memory, inflated with libdeflate.

    libdeflate (the ``deflate`` package) inflates a whole buffer of known size 3-4x faster
    than :mod:`zlib` and releases the GIL, so worker threads inflate in parallel. With
    ``crc=False`` the CRC-32 check is skipped: only for zips whose md5 was checked in this
    run, which already proves every byte (the uncompressed length is still checked).

    The zip must hold exactly one member (named ``member`` when given, e.g.
    ``20191024143000.export.CSV``) of at most ``max_size`` bytes: the size in its header is
    checked before anything is inflated, and the output buffer is exactly that size, so a
    member that inflates to more than it claims fails instead of filling the memory.
    """
    import deflate

    one = _single_member(blob)
    if one is None:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            infos = zf.infolist()
            if len(infos) != 1 or infos[0].is_dir():
                raise zipfile.BadZipFile(
                    f"it holds {len(infos)} members; a GDELT zip holds exactly one"
                    + (f" ({member})" if member else ""))
            info = infos[0]
            _check_member(info.filename, info.file_size, member, max_size)
            if info.compress_type != zipfile.ZIP_DEFLATED:
                with zf.open(info) as f:  # bounded read: the header may lie
                    data = f.read(max_size + 1)
                if len(data) > max_size:
                    raise zipfile.BadZipFile(f"its member inflates to more than {max_size:,} "
                                             "bytes")
                return data
        one = (_data_start(blob, info.header_offset), info.compress_size, info.file_size,
               info.CRC, info.filename)
    start, csize, size, want_crc, name = one
    _check_member(name, size, member, max_size)
    if start + csize > len(blob):
        raise zipfile.BadZipFile("truncated member")
    try:
        data = deflate.deflate_decompress(memoryview(blob)[start:start + csize], size)
    except deflate.DeflateError as exc:
        raise zipfile.BadZipFile(f"corrupt deflate stream (or longer than its header says: "
                                 f"{size:,} bytes): {exc}") from None
    if len(data) != size:
        raise zipfile.BadZipFile(f"inflated {len(data)} bytes, the zip says {size}")
    if crc and deflate.crc32(data) != want_crc:
        raise zipfile.BadZipFile("CRC-32 mismatch")
    return data
