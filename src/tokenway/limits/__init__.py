"""Rate limits and budgets with reservations: reserve before the call, settle after it.

``engine.Limiter`` builds every check for a call and reserves them in one atomic store call
(``store.counters``); ``windows`` does the window arithmetic; ``alerts`` sends threshold alerts.
"""
