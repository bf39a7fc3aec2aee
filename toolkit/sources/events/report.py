"""What a run of :func:`~toolkit.sources.events.fetch.fetch_events` did: :class:`FetchReport`.

One report per run (and one for its Mentions files, on ``report.mentions``): how many files
were selected, downloaded, found on disk, already ingested, missing at the source (404 gaps)
or failed, how many rows were read, kept and excluded as malformed (with reasons and examples
per file), which days the master file list did not cover, and which cube months were written.
:meth:`FetchReport.summary` turns it into the few lines the CLI prints and a notebook shows;
:attr:`FetchReport.ok` is False when a file failed or a finished day was not covered (a rerun
retries them). The run fills it in (:mod:`toolkit.sources.events.fetch`); nothing here reads
or writes the cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FetchReport"]


@dataclass
class FetchReport:
    """What :func:`fetch_events` did.

    Attributes
    ----------
    files_selected : int
        Files the range needs (all streams of the product).
    downloaded, present, already_ingested : int
        Files fetched in this run; found on disk, verified and parsed without a download;
        skipped because a previous run ingested them.
    missing : list of str
        Files the server does not have (404): GDELT's gaps, recorded in the manifest.
    failed : dict
        File name -> last error, for files that could not be fetched after every retry.
    rows_read, rows_kept, rows_malformed : int
        Lines parsed in this run, kept by the actor filter, and excluded as malformed.
    malformed_by_file : dict
        File name -> ``{"count": n, "reasons": {...}, "examples": [(line, reason), ...]}``.
    unlisted_slots : int
        15-minute slots of the range (GDELT 2.0) that the master file list does not name.
    mentions : FetchReport or None
        With ``mentions=True``: the same counts for the Mentions files (``rows_kept``: the
        mentions of kept events stored); ``list_error`` says why none could be selected.
    """

    product: str
    start: str
    end: str
    actors: tuple[str, ...]
    date_basis: str
    data_dir: str
    files_selected: int = 0
    downloaded: int = 0
    present: int = 0
    already_ingested: int = 0
    reprocessed: int = 0
    missing: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    rows_kept: int = 0
    rows_malformed: int = 0
    malformed_by_file: dict[str, dict] = field(default_factory=dict)
    bytes_downloaded: int = 0
    unlisted_slots: int = 0
    unlisted_days: list[str] = field(default_factory=list)
    months_written: list[str] = field(default_factory=list)
    coverage: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    mentions: FetchReport | None = None
    list_error: str = ""

    @property
    def ok(self) -> bool:
        """True when no file failed (gaps are not failures) and the file list covered every
        finished day of the range (Mentions files included, when asked for)."""
        return (not self.failed and not self.unlisted_days and not self.list_error
                and (self.mentions is None or self.mentions.ok))

    def summary(self) -> str:
        """A few lines for the terminal or a notebook cell."""
        lines = [
            f"GDELT events {self.product} {self.start}..{self.end} actors={','.join(self.actors)}"
            f" date_basis={self.date_basis}",
            f"  files: {self.files_selected} selected, {self.downloaded} downloaded "
            f"({self.bytes_downloaded / 1e6:.1f} MB), {self.present} already on disk, "
            f"{self.already_ingested} already ingested, {len(self.missing)} missing (404 gaps), "
            f"{len(self.failed)} failed",
            f"  rows: {self.rows_read:,} read, {self.rows_kept:,} kept, "
            f"{self.rows_malformed:,} malformed (in {len(self.malformed_by_file)} files)",
            f"  cube months written: {', '.join(self.months_written) or 'none'}; "
            f"{self.seconds:.1f} s",
        ]
        if self.unlisted_slots:
            lines.append(f"  note: {self.unlisted_slots} 15-minute slots of the range are not in "
                         "GDELT's file list (gaps at the source)")
        if self.unlisted_days:
            lines.append(f"  NOT COVERED by the file list (not marked complete): "
                         f"{', '.join(self.unlisted_days[:5])}"
                         + (" ..." if len(self.unlisted_days) > 5 else ""))
        if self.missing:
            lines.append(f"  missing: {', '.join(self.missing[:5])}"
                         + (" ..." if len(self.missing) > 5 else ""))
        for name, err in list(self.failed.items())[:5]:
            lines.append(f"  FAILED {name}: {err}")
        if self.failed:
            lines.append("  rerun the same command to retry the failed files")
        if self.list_error:
            lines.append(f"  FAILED: {self.list_error}")
        if self.mentions is not None:
            sub = self.mentions.summary().splitlines()
            lines.append("  Mentions " + sub[1].strip())
            lines.append(f"  Mentions rows: {self.mentions.rows_read:,} read, "
                         f"{self.mentions.rows_kept:,} kept (mentions of kept events), "
                         f"{self.mentions.rows_malformed:,} malformed (in "
                         f"{len(self.mentions.malformed_by_file)} files)")
            lines += ["  Mentions " + x.strip() for x in sub[4:]]
        return "\n".join(lines)

    __str__ = summary

    def __repr__(self) -> str:
        return self.summary()

