"""Chargeback output: aligned text tables, CSV, JSON, and `--since` parsing.

Backs `tokenway usage --by team --since 30d --format table|csv|json` and `GET /admin/usage`.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        s = f"{v:.6f}".rstrip("0").rstrip(".")
        return "0" if s in ("", "-0") else s
    return str(v)


def to_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Aligned text: header, dashes, one line per row; numbers right-aligned, text left; null = '-'."""
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    numeric = [
        all(isinstance(r.get(c), int | float) and not isinstance(r.get(c), bool) for r in rows if r.get(c) is not None)
        and any(r.get(c) is not None for r in rows)
        for c in columns
    ]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(columns)]

    def fmt(values: Sequence[str], header: bool = False) -> str:
        parts = [
            v.rjust(w) if num and not header else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines = [fmt(list(columns), header=True), "  ".join("-" * w for w in widths)]
    lines += [fmt(line) for line in cells]
    return "\n".join(lines) + "\n"


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """RFC 4180 CSV with a header; null is the empty field; floats at full precision."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def to_json(rows: Sequence[dict[str, Any]], *, indent: bool = False) -> str:
    return orjson.dumps(list(rows), default=str, option=orjson.OPT_INDENT_2 if indent else 0).decode()


def parse_since(s: str, *, now: float | None = None) -> float:
    """Unix seconds from "30d" / "12h" / "90m" / "45s" / "2w" (ago), "2026-11-01" (UTC midnight),
    an ISO datetime (naive = UTC) or a unix timestamp."""
    text = s.strip()
    if not text:
        raise ValueError("empty time")
    m = _RELATIVE.match(text)
    if m:
        return (time.time() if now is None else now) - float(m.group(1)) * _UNIT_S[m.group(2).lower()]
    if re.fullmatch(r"\d{9,}(\.\d+)?", text):
        return float(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()
    try:
        dt = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"cannot read {s!r} as a time: use 30d, 12h, 90m, 2026-11-01 or an ISO datetime") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
