"""Load a YAML config: resolve ${ENV} references, validate, and explain errors precisely.

``${NAME}`` is replaced by the environment variable (an error if unset); ``${NAME:-default}``
falls back to ``default``. A value that is exactly one reference keeps the type YAML would give
the substituted text (``${PORT:-4000}`` is the integer 4000).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tokenway.config.schema import Config

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` lists every problem with file and line."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(problems))


Loc = tuple[str | int, ...]


def _substitute(text: str, env: dict[str, str], where: str, problems: list[str]) -> str:
    def repl(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        value = env.get(name)
        if value is None or (value == "" and default is not None):
            if default is None:
                problems.append(f"{where}: environment variable {name} is not set (use ${{{name}:-default}})")
                return ""
            return default
        return value

    return _REF.sub(repl, text)


def _construct(node: yaml.Node, loc: Loc, path: str, env: dict[str, str],
               lines: dict[Loc, int], problems: list[str]) -> Any:
    lines[loc] = node.start_mark.line + 1
    where = f"{path}:{node.start_mark.line + 1}: {'.'.join(str(p) for p in loc) or '(top level)'}"
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            key = str(yaml.safe_load(yaml.serialize(k))) if isinstance(k, yaml.ScalarNode) else None
            if key is None:
                problems.append(f"{path}:{k.start_mark.line + 1}: mapping keys must be plain strings")
                continue
            if key in out:
                problems.append(f"{path}:{k.start_mark.line + 1}: duplicate key {key!r}")
            lines[(*loc, key)] = k.start_mark.line + 1
            out[key] = _construct(v, (*loc, key), path, env, lines, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*loc, i), path, env, lines, problems) for i, v in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if "${" in node.value:
        text = _substitute(node.value, env, where, problems)
        if node.style is None and _REF.fullmatch(node.value.strip()):
            return yaml.safe_load(text) if text.strip() else None
        return text
    return yaml.safe_load(yaml.serialize(node))


def parse(text: str, path: str = "<config>", env: dict[str, str] | None = None) -> Config:
    """Parse and validate config text; raises ConfigError listing every problem."""
    env = dict(os.environ) if env is None else env
    problems: list[str] = []
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(path, [f"{path}{line}: not valid YAML: {getattr(e, 'problem', e)}"]) from None
    lines: dict[Loc, int] = {}
    data = {} if root is None else _construct(root, (), path, env, lines, problems)
    if problems:
        raise ConfigError(path, problems)
    if not isinstance(data, dict):
        raise ConfigError(path, [f"{path}:1: the top level must be a mapping of sections"])
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError(path, [_explain(err, path, lines) for err in e.errors()]) from None


def _explain(err: Any, path: str, lines: dict[Loc, int]) -> str:
    loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    msg: str = err["msg"].removeprefix("Value error, ")
    # a cross-reference check names its own field path in the message: use it for the line
    m = re.match(r"([\w.\-]+): (.*)", msg)
    if m and not loc:
        loc = tuple(int(p) if p.isdigit() else p for p in m.group(1).split("."))
        msg = m.group(2)
    probe = loc
    while probe and probe not in lines:
        probe = probe[:-1]
    line = lines.get(probe, 1)
    field = ".".join(str(p) for p in loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        msg = "unknown key (check the spelling; see docs/configuration.md)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    elif "input" in err and err["type"] not in ("value_error", "assertion_error"):
        msg = f"{msg} (got {err['input']!r})"
    return f"{path}:{line}: {field}: {msg}"


def load_config(path: str | Path, env: dict[str, str] | None = None) -> Config:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(str(p), [f"{p}: cannot read: {e.strerror or e}"]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(p), [f"{p}: not UTF-8 text"]) from None
    return parse(text, str(p), env)
