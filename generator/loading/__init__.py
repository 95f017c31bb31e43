"""Stage 1, loading: ledger files from a folder or a git commit, read strictly into a `Ledger` and checked against
their schemas."""
