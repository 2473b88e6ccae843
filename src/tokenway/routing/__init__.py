"""Choosing where a call goes: model groups, balancing, health and circuit breaking, retries."""
