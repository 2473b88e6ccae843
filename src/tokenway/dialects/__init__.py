"""Wire formats and translation between them.

tokenway's canonical call is the OpenAI Chat Completions shape, held as plain dicts (see
``canonical.py`` for the exact fields and our few extensions). Every other wire format translates
to and from it:

* client-facing dialects (what callers speak): ``openai_chat`` (identity), ``openai_responses``,
  ``anthropic``;
* vendor-facing formats (what upstreams speak): ``openai_chat`` (identity), ``anthropic``,
  ``gemini``, ``bedrock``.

A dialect module is a handful of pure functions and two small stateful stream classes. Dialects
know nothing of policies, keys or budgets.
"""
