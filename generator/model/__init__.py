"""The contract with the departments: the ledger schema, its vocabulary and its tabular columns."""
