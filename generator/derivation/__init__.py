"""Stage 3, derivation: the lifecycle of a problem, the ledger as of a date, status, lights, figures and reports, and
the site context every page is made from (site.py)."""
