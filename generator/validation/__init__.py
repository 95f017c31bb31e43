"""Stage 2, validation: findings as data, the schema check, the cross-file rules and the report formats."""
