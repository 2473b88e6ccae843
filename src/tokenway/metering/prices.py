"""Prices per model, and the cost of a call from its canonical usage.

The shipped catalog is ``tokenway/data/prices.yaml`` (list prices with their effective dates; they
must be checked). ``Config.prices`` entries override it by vendor model name.

Lookup of a vendor model name, case-insensitive, first hit wins (overrides before the catalog at
every step):

1. the exact name;
2. the name without "org/" path prefixes and without trailing date/version suffixes
   ("-2024-07-18", "-20241022", "-0613", "-001", "-latest", "@20240620", "-v2", ":0");
3. Bedrock ids without the region and vendor prefixes ("us.anthropic.claude-3-5-haiku-20241022-v1:0"
   -> "claude-3-5-haiku"); Claude names with dotted versions ("claude-3.5-sonnet") as dashed ones;
4. the longest known name that is a prefix of one of the above, ending at "-", ":", "@" or "_"
   ("gemini-2.5-pro-preview-06-05" -> "gemini-2.5-pro"). A variant priced differently from its base
   model ("-realtime", fine-tuned "ft:" models) needs an override; "gpt-5.2" never matches "gpt-5".
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tokenway.config.schema import Price

_REGION = re.compile(r"^(?:us|eu|apac|global|jp|au|ca|us-gov)\.")
_VENDOR = re.compile(r"^(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer|google)\.")
_SUFFIX = re.compile(r"(?:@[\w.-]+|:\d+|-latest|-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{4}|-\d{3}|-v\d+)$")
_CLAUDE_DOTS = re.compile(r"(?<=\d)\.(?=\d)")
_BOUNDARY = frozenset("-:@_")
_CACHE_LIMIT = 4096


def parse_catalog(text: str) -> dict[str, Price]:
    """Prices from catalog YAML: ``{currency: USD, models: {name: {input, output, …}}}``."""
    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    currency = doc.get("currency", "USD")
    out: dict[str, Price] = {}
    for name, entry in (doc.get("models") or {}).items():
        fields = {"currency": currency, **entry}
        if fields.get("effective") is not None:
            fields["effective"] = str(fields["effective"])
        out[str(name).lower()] = Price(**fields)
    return out


@cache
def shipped_catalog() -> Mapping[str, Price]:
    """The catalog shipped in ``tokenway/data/prices.yaml``, parsed once."""
    text = resources.files("tokenway").joinpath("data/prices.yaml").read_text(encoding="utf-8")
    return parse_catalog(text)


def _without_suffixes(name: str) -> Iterator[str]:
    while True:
        shorter = _SUFFIX.sub("", name)
        if shorter == name or not shorter:
            return
        name = shorter
        yield name


def candidates(vendor_model: str) -> list[str]:
    """The names tried for a vendor model, in order (steps 1-3 of the module docstring)."""
    m = vendor_model.strip().lower()
    names = [m]
    base = m.rsplit("/", 1)[-1]
    names += [base, *_without_suffixes(base)]
    unprefixed = _VENDOR.sub("", _REGION.sub("", base))
    if unprefixed != base:
        names += [_REGION.sub("", base), unprefixed, *_without_suffixes(unprefixed)]
    if unprefixed.startswith("claude") and "." in unprefixed:
        dashed = _CLAUDE_DOTS.sub("-", unprefixed)
        names += [dashed, *_without_suffixes(dashed)]
    return list(dict.fromkeys(names))


def _longest_prefix(names: list[str], table: Mapping[str, Price]) -> str | None:
    best: str | None = None
    for key in table:
        if best is not None and len(key) <= len(best):
            continue
        for name in names:
            if len(name) > len(key) and name.startswith(key) and name[len(key)] in _BOUNDARY:
                best = key
                break
    return best


def cost(price: Price, usage: Mapping[str, Any]) -> float:
    """The cost of a call from a canonical usage dict, in the price's currency.

    ``prompt_tokens`` includes cached and cache-creation tokens: uncached input bills at ``input``,
    cache reads at ``cached_input``, cache writes at ``cache_write``. ``completion_tokens`` includes
    reasoning tokens: those bill at ``reasoning`` (default ``output``), the rest at ``output``.
    """
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    pd = usage.get("prompt_tokens_details") or {}
    cd = usage.get("completion_tokens_details") or {}
    cached = min(int(pd.get("cached_tokens") or 0), prompt)
    written = min(int(pd.get("cache_creation_tokens") or 0), prompt - cached)
    reasoning = min(int(cd.get("reasoning_tokens") or 0), completion)
    total = (
        (prompt - cached - written) * price.input
        + cached * _or(price.cached_input, price.input)
        + written * _or(price.cache_write, price.input)
        + (completion - reasoning) * price.output
        + reasoning * _or(price.reasoning, price.output)
    )
    return total / 1_000_000


def worst_case(price: Price, prompt_tokens: int, max_output_tokens: int) -> float:
    """The most a call can cost: every prompt token at the dearer of input and cache write, every
    output token at the dearer of output and reasoning."""
    per_in = max(price.input, _or(price.cache_write, price.input))
    per_out = max(price.output, _or(price.reasoning, price.output))
    return (prompt_tokens * per_in + max_output_tokens * per_out) / 1_000_000


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


class PriceCatalog:
    """The shipped catalog with configured overrides on top."""

    cost = staticmethod(cost)
    worst_case = staticmethod(worst_case)

    def __init__(self, overrides: Mapping[str, Price] | None = None, catalog: Mapping[str, Price] | None = None):
        self._overrides = {k.lower(): v for k, v in (overrides or {}).items()}
        self._catalog = shipped_catalog() if catalog is None else {k.lower(): v for k, v in catalog.items()}
        self._resolved: dict[str, tuple[str, Price] | None] = {}
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def lookup(self, vendor_model: str) -> Price | None:
        """The price of a vendor model, or None when neither the config nor the catalog knows it."""
        hit = self.resolve(vendor_model)
        return hit[1] if hit else None

    def resolve(self, vendor_model: str) -> tuple[str, Price] | None:
        """Like :meth:`lookup`, with the name of the entry that matched."""
        if vendor_model in self._resolved:
            return self._resolved[vendor_model]
        names = candidates(vendor_model)
        hit: tuple[str, Price] | None = None
        for table in (self._overrides, self._catalog):
            key = next((n for n in names if n in table), None)
            if key is not None:
                hit = (key, table[key])
                break
        if hit is None:
            for table in (self._overrides, self._catalog):
                key = _longest_prefix(names, table)
                if key is not None:
                    hit = (key, table[key])
                    break
        if len(self._resolved) >= _CACHE_LIMIT:
            self._resolved.clear()
        self._resolved[vendor_model] = hit
        return hit

    def warn_unknown(self, vendor_model: str) -> bool:
        """True the first time it is called for a model (the caller logs a warning then)."""
        with self._lock:
            if vendor_model in self._warned:
                return False
            self._warned.add(vendor_model)
            return True
