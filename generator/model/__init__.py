"""The contract with the departments: the ledger schema, its vocabulary, its tabular columns and the finding codes."""
