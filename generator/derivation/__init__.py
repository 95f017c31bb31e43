"""Stage 3, derivation: the lifecycle of a problem, the ledger as of a date, status, lights and campaign figures."""
