"""The usage ledger: one durable row per call (journal first, then SQLite)."""
