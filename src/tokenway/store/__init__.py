"""State behind small interfaces: counters (limits and budgets) today; keys and the ledger later.

Stages depend on the interfaces here, never on a concrete backend."""
