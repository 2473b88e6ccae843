"""Config of the semantic layer: what check-config accepts and refuses, word for word."""

from __future__ import annotations

import pytest

from tokenway.config.loader import ConfigError, parse

BASE = """
providers: {p: {type: demo}}
models:
  small: {targets: [{provider: p, model: small}]}
  big: {targets: [{provider: p, model: big}]}
"""


def test_a_bare_off_means_off_even_though_yaml_reads_it_as_false() -> None:
    cfg = parse(BASE + """
  cached: {targets: [{provider: p, model: x}], cache: {mode: off}}
  from-env: {targets: [{provider: p, model: x}], cache: {mode: "${MODE:-semantic}"}}
guard:
  policies:
    p: {injection: {action: off}, sensitive: {email: off}, output: {sensitive: off, system_prompt_leak: off}}
""", env={"MODE": "off"})
    assert cfg.models["cached"].cache is not None and cfg.models["cached"].cache.mode == "off"
    assert cfg.models["from-env"].cache is not None and cfg.models["from-env"].cache.mode == "off"
    pol = cfg.guard.policies["p"]
    assert (pol.injection.action, pol.sensitive["email"], pol.output.sensitive, pol.output.system_prompt_leak) \
        == ("off", "off", "off", "off")


@pytest.mark.parametrize(("extra", "message"), [
    ("  r: {router: {routes: [{name: a, to: nowhere, utterances: [hi]}], default: big}}",
     "models.r.router.routes.0.to: unknown model group 'nowhere'"),
    ("  r: {router: {routes: [{name: a, to: small, utterances: [hi]}], default: r2}}\n"
     "  r2: {router: {routes: [{name: b, to: small, utterances: [yo]}], default: big}}",
     "models.r.router.default: 'r2' is not a model group with targets"),
    ("  r: {router: {routes: [{name: a, to: small}], default: big}}",
     "models.r.router.routes.0: give utterances, a description or when"),
    ("  r: {router: {routes: [{name: a, to: small, utterances: [x]}, {name: a, to: big, utterances: [y]}], "
     "default: big}}", "route names must be unique"),
    ("  r: {targets: [{provider: p, model: x}], router: {routes: [{name: a, to: small, utterances: [x]}], "
     "default: big}}", "a router has routes, not targets or a canary"),
    ("  c: {targets: [{provider: p, model: x}], canary: {target: {provider: nope, model: y}, percent: 5}}",
     "models.c.canary.target.provider: unknown provider 'nope'"),
    ("  c: {targets: [{provider: p, model: x}], canary: {target: {provider: p, model: y}, percent: 0}}",
     "percent"),
    ("  e: {}", "models.e: give targets (or a router)"),
])
def test_semantic_config_errors_say_where_and_what(extra: str, message: str) -> None:
    with pytest.raises(ConfigError) as ei:
        parse(BASE + extra + "\n")
    assert message in str(ei.value.problems), ei.value.problems
