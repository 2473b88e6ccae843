"""Guardrails: prompt-injection defence and sensitive-data protection, run locally."""
