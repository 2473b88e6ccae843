"""Redacted request bodies for the access log: every known sensitive value replaced, text capped."""

from __future__ import annotations

import orjson

from tokenway.telemetry.bodies import BodyRedactor

EMAIL = "jane.doe@example.com"
IBAN = "DE89 3704 0044 0532 0130 00"


def test_every_string_is_redacted_with_numbered_placeholders() -> None:
    body = {"model": "m", "n": 2, "messages": [{"role": "user", "content": f"{EMAIL} and {IBAN}"},
                                                {"role": "user", "content": [{"type": "text", "text": EMAIL}]}],
            "metadata": {"owner": "ops@example.org"}}
    out = BodyRedactor()(orjson.dumps(body))
    assert out["messages"][0]["content"] == "[EMAIL_1] and [IBAN_1]"
    assert out["messages"][1]["content"][0]["text"] == "[EMAIL_1]"  # same value, same placeholder
    assert out["metadata"]["owner"] == "[EMAIL_2]" and out["n"] == 2 and out["model"] == "m"


def test_text_beyond_the_cap_is_not_logged_and_a_value_on_the_edge_is_not_cut() -> None:
    filler = "word " * 20  # 100 chars
    body = {"a": filler + EMAIL + " tail", "b": "never logged"}
    out = BodyRedactor(max_chars=110)(orjson.dumps(body))
    assert out["a"].startswith(filler.rstrip()) and "jane" not in out["a"] and "more chars not logged" in out["a"]
    assert out["b"] == "[12 chars not logged]"


def test_a_body_that_is_not_json_is_reported_by_size() -> None:
    assert BodyRedactor()(b"\xff{not json") == {"unparsed_bytes": 10}
