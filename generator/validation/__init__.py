"""Stage 2, validation: the cross-file rules, CODEOWNERS against the registries, and the report formats."""
