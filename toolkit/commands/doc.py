"""``toolkit fetch doc`` (DOC 2.0 API timelines into the cache) and ``toolkit doc queries``."""

from __future__ import annotations

import argparse

from . import int_range, nonneg_float, out_path, positive_float, write_table


def register_fetch(fetch_sub: argparse._SubParsersAction) -> None:
    from ..sources.doc.query import MODES

    p = fetch_sub.add_parser(
        "doc", help="DOC 2.0 API coverage timelines (paced, cached, resumable)",
        description="Fetch DOC 2.0 API timelines for a registry query (or raw DOC query text) "
                    "into the cache, one calendar-quarter window per request, at most one "
                    "request per --interval seconds. Rerunning fetches only what is missing.")
    p.add_argument("--query", required=True, action="append",
                   help="registry name (see `toolkit doc queries`), NAME@MEDIA, or raw DOC "
                        "query text; repeat for several")
    p.add_argument("--mode", action="append", choices=list(MODES),
                   help="timeline mode; repeat for several (default timelinevol)")
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD (>= 2017-01-01)")
    p.add_argument("--end", required=True, help="last day, YYYY-MM-DD (clipped to today)")
    p.add_argument("--base-url", help="API endpoint (default: GDELT_DOC_URL or GDELT's)")
    p.add_argument("--data-dir", help="cache directory (default: TOOLKIT_DATA_DIR or data/cache)")
    p.add_argument("--interval", type=nonneg_float, default=None,
                   help="seconds between requests, shared by all processes "
                        "(default TOOLKIT_DOC_INTERVAL or 5)")
    p.add_argument("--timeout", type=positive_float, default=60.0, help="seconds per request")
    p.add_argument("--retries", type=int_range(0), default=5,
                   help="retries on HTTP 429/5xx and timeouts (default 5)")
    p.add_argument("--backoff", type=nonneg_float, default=5.0,
                   help="first retry wait in seconds, doubling each time (default 5)")
    p.add_argument("--out", help="also write the tidy timelines to .csv or .parquet")
    p.set_defaults(func=run_fetch)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doc", help="DOC 2.0 API helpers (query registry)",
                       description="DOC 2.0 API helpers.")
    dsub = p.add_subparsers(dest="doc_command", metavar="ACTION")
    q = dsub.add_parser("queries", help="list the registry's queries and media restrictions")
    q.add_argument("--registry", help="registry TOML file (default data/doc_queries.toml)")
    q.set_defaults(func=run_queries)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_fetch(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..cli import CLIError
    from ..sources.doc.query import DocError, DocQueryError, doc_timeline

    out = out_path(args.out) if args.out else None
    frames = []
    for query in args.query:
        for mode in args.mode or ["timelinevol"]:
            try:
                df = doc_timeline(query, args.start, args.end, mode=mode, source="api",
                                  base_url=args.base_url, data_dir=args.data_dir,
                                  interval=args.interval, timeout=args.timeout,
                                  retries=args.retries, backoff=args.backoff)
            except DocQueryError:
                raise
            except DocError as exc:
                raise CLIError(f"{exc} (finished windows are cached; rerun to resume)") from None
            print(f"{query} {mode}: {len(df):,} rows, {df.attrs['requests']} requests, "
                  f"{df.attrs['cache_hits']} windows from the cache")
            frames.append(df)
    if out is not None:
        df = pd.concat(frames, ignore_index=True)
        write_table(df, out)
        print(f"wrote {len(df):,} rows to {out}")
    return 0


def run_queries(args: argparse.Namespace) -> int:
    from ..sources.doc.registry import load_registry

    reg = load_registry(args.registry)
    print(f"DOC queries ({', '.join(map(str, reg.paths))}):")
    for name, spec in reg.queries.items():
        print(f"  {name:<12} {spec.title}\n  {'':<12} {spec.text}")
    print("media (use as QUERY@MEDIA):")
    for name, m in reg.media.items():
        where = " ".join([*(f"sourcecountry:{c}" for c in m.sourcecountry),
                          *(f"domain:{d}" for d in m.domain)])
        print(f"  {name:<12} {where}")
    return 0
