"""One module per data product: ``demo`` (synthetic), ``events`` (GDELT files), ``doc`` (DOC 2.0
API) and ``bigquery``. Each fills the same dyad cube (:mod:`toolkit.schema`)."""
