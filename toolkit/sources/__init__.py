"""The data sources, one subpackage each; each fills the same dyad cube (:mod:`toolkit.schema`).

- :mod:`toolkit.sources.demo`: the embedded SYNTHETIC demo data (offline, not GDELT).
- :mod:`toolkit.sources.events`: GDELT event files (Events 2.0 15-minute, Events 1.0 daily),
  fetched into the local cache (``source="local"``).
- :mod:`toolkit.sources.doc`: the GDELT DOC 2.0 API (coverage volume and tone timelines).
- :mod:`toolkit.sources.bigquery`: Google BigQuery, GDELT's full history.
- :mod:`toolkit.sources.http`: what the HTTP sources share (user agent, ``Retry-After``).

Sources import only the vocabulary below them (dates, schema, actors, config, store,
aggregate); :mod:`toolkit.cube` above them chooses one by ``source=``.
"""
