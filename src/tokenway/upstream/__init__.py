"""Reaching vendors: a pooled keep-alive HTTP/1.1 client on asyncio protocols and httptools."""
