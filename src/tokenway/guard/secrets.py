# ruff: noqa: RUF001  (multilingual keywords and samples: fullwidth colons, Cyrillic, CJK are intended)
"""Validators for the secret detectors of the sensitive-data scanner (``secret.*``).

Each function receives a candidate span found by the scanner's regex and returns the span to
report (it may be narrower, e.g. only the value after ``password=``) and a reason, or ``None``.
Reasons never contain the matched value.

Published placeholders are not flagged: values containing ``EXAMPLE`` (AWS documentation keys
``AKIAIOSFODNN7EXAMPLE`` / ``wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY``), all-``x``/all-``0``
bodies, ``sk-your-api-key-here``-style texts (a real key body mixes upper case, lower case and
digits), masked passwords (``********``) and references instead of values (``${DB_PASSWORD}``,
``os.environ[...]``, ``<password>``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re

Hit = tuple[int, int, str]  # start, end, reason

_B64URL = re.compile(r"[A-Za-z0-9_\-]+")


def looks_random(body: str, min_len: int, *, need_digit: bool = True, need_case: bool = True) -> bool:
    """A generated token, not a placeholder: long enough, mixed character classes, varied."""
    if len(body) < min_len or "EXAMPLE" in body.upper():
        return False
    has_digit = has_upper = has_lower = False
    for ch in body:
        if ch.isdigit():
            has_digit = True
        elif ch.isupper():
            has_upper = True
        elif ch.islower():
            has_lower = True
    if need_digit and not has_digit:
        return False
    if need_case and not (has_upper and has_lower):
        return False
    return len(set(body)) >= min(12, len(body) // 3)


def private_key(text: str, s: int, e: int) -> Hit | None:
    block = text[s:e]
    head_end = block.find("-----", 11) + 5  # end of the BEGIN line
    body = block[head_end:]
    end_marker = body.find("-----END")
    if end_marker >= 0:
        body = body[:end_marker]
    if sum(1 for ch in body if ch.isalnum()) < 40:
        return None  # "-----BEGIN PRIVATE KEY-----\n...\n" placeholders
    return s, e, "PEM private key block"


def _b64url_json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def jwt(text: str, s: int, e: int) -> Hit | None:
    parts = text[s:e].split(".")
    if len(parts) < 3 or len(parts[1]) < 4:
        return None
    header = _b64url_json(parts[0])
    if not isinstance(header, dict) or "alg" not in header:
        return None
    end = s + len(parts[0]) + len(parts[1]) + len(parts[2]) + 2
    return s, end, "JWT (three base64url segments, header is JSON with 'alg')"


def anthropic(text: str, s: int, e: int) -> Hit | None:
    body = text[s + 7 : e]  # after "sk-ant-"
    if not looks_random(body, 32):
        return None
    return s, e, "Anthropic API key (sk-ant- prefix, random body)"


def openai(text: str, s: int, e: int) -> Hit | None:
    body = text[s + 3 : e]
    for prefix in ("proj-", "svcacct-", "admin-"):
        if body.startswith(prefix):
            body = body[len(prefix) :]
            break
    if not looks_random(body, 20):
        return None
    return s, e, "OpenAI API key (sk- prefix, random body)"


def github(text: str, s: int, e: int) -> Hit | None:
    value = text[s:e]
    body = value[11:] if value.startswith("github_pat_") else value[4:]
    if not looks_random(body, 30):
        return None
    return s, e, "GitHub token (gh*_ / github_pat_ prefix)"


def slack(text: str, s: int, e: int) -> Hit | None:
    body = text[s + 5 : e]
    if len(body) < 20 or sum(ch.isdigit() for ch in body) < 6 or len(set(body)) < 8:
        return None
    return s, e, "Slack token (xox*- prefix)"


def slack_hook(text: str, s: int, e: int) -> Hit | None:
    path = text[s:e].split("/")[4:]  # after https://hooks.slack.com/services/
    segments = [p for p in path if p]
    if len(segments) < 3 or any(len(set(p)) <= 2 for p in segments):
        return None  # the documented T00000000/B00000000/XXXXXXXX placeholder
    return s, e, "Slack incoming-webhook URL"


def stripe(text: str, s: int, e: int) -> Hit | None:
    body = text[s + 8 : e]  # after sk_live_ / rk_live_
    if not looks_random(body, 20):
        return None
    return s, e, "Stripe live secret/restricted key"


def aws_access_key(text: str, s: int, e: int) -> Hit | None:
    value = text[s:e]
    if len(value) != 20 or value.endswith("EXAMPLE") or len(set(value[4:])) < 6:
        return None
    return s, e, "AWS access key id (AKIA/ASIA prefix)"


_AWS_VALUE = re.compile(r"[A-Za-z0-9/+]+$")


def aws_secret(text: str, s: int, e: int) -> Hit | None:
    m = _AWS_VALUE.search(text, s, e)
    if m is None or m.end() - m.start() != 40:
        return None
    if e < len(text) and text[e] == "=":
        return None  # a longer base64 blob, not a 40-character key
    if not looks_random(m.group(), 40):
        return None
    return m.start(), m.end(), "AWS secret access key (40 characters after an AWS secret key name)"


# --- passwords --------------------------------------------------------------------------------

_PW_VALUE = re.compile(r"(?:[:=：]|==|=>)[ \t]*(\"[^\"\n]*\"|'[^'\n]*'|[^\s\"',;]+)")
_PW_PLACEHOLDERS = frozenset(
    {
        "none", "null", "nil", "true", "false", "undefined", "required", "optional", "string", "str",
        "text", "password", "passwd", "passphrase", "secret", "hidden", "redacted", "masked", "empty",
        "changeme", "your_password", "yourpassword", "mypassword", "example", "placeholder", "value",
        "unknown", "n/a", "tbd", "todo", "xxx", "***", "...", "contraseña", "passwort", "пароль",
        # code: type annotations and statements after "password:" / "password ="
        "raise", "return", "pass", "else", "self", "this", "await", "yield", "lambda", "int", "bool",
        "number", "any", "object", "bytes", "secretstr", "field", "input", "prompt", "config", "settings",
    }
)  # fmt: skip
_PW_REFERENCE = re.compile(
    r"""^(?:[\$%<{\[(@&*~/]|\.\.?/)  # ${VAR}, %(x)s, <password>, {{ x }}, [..], @param, paths
    |[()\[\]]                           # a call or subscript: os.environ["X"], getpass()
    |^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$  # attribute access: self.password
    |^[A-Za-z]*_[A-Za-z_]*(?i:pass|secret|pwd|token|key|cred|env|conf)[A-Za-z_]*$
    |^(?i:pass|secret|pwd|token|key|cred|env|conf)[A-Za-z]*_[A-Za-z_]*$
                                        # a variable named after it: user_password, DB_SECRET
    """,
    re.VERBOSE,
)


def _password_value_ok(value: str, quoted: bool) -> bool:
    if len(value) < 4 or len(value) > 256:
        return False
    low = value.lower()
    if low in _PW_PLACEHOLDERS or len(set(value)) == 1:
        return False
    if all(ch in "*•●x.#-_?" for ch in low):
        return False  # masked
    if not quoted and _PW_REFERENCE.search(value):
        return False
    return not (quoted and value.startswith(("${", "{{", "<", "%(")))


def password(text: str, s: int, e: int) -> Hit | None:
    m = _PW_VALUE.search(text, s, e)
    if m is None:
        return None
    vs, ve = m.span(1)
    quoted = text[vs] in "\"'"
    if quoted:
        vs, ve = vs + 1, ve - 1
    else:
        while ve > vs and text[ve - 1] in "})]>":
            ve -= 1  # {"password": null}
    if not _password_value_ok(text[vs:ve], quoted):
        return None
    if not quoted and text[vs:ve].isalpha() and text[ve : ve + 1] == " " and text[ve + 1 : ve + 2].isalpha():
        return None  # prose: "Password: Must be at least 8 characters"
    return vs, ve, "value assigned to a password/secret key"


_URL_PW = re.compile(r"://[^\s/:@\"'<>]+:([^\s/@\"'<>]+)@")


def url_password(text: str, s: int, e: int) -> Hit | None:
    m = _URL_PW.search(text, s, e)
    if m is None:
        return None
    vs, ve = m.span(1)
    value = text[vs:ve]
    if len(value) < 3 or value.lower() in _PW_PLACEHOLDERS or value.startswith(("$", "{", "%")):
        return None
    if len(set(value)) == 1:
        return None
    return vs, ve, "password in URL credentials"
