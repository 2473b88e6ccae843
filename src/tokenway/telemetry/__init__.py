"""Metrics, logs and (later) traces, drift and quality."""
