"""Generated data for the semantic cache tests and evaluation."""
