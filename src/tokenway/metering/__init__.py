"""Token estimation (and, with the token-economics issue, prices and the usage ledger)."""
