"""The configuration schema. Unknown keys are errors; every field is documented in
docs/configuration.md."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    model_validator,
)


def _yaml_off(v: object) -> object:
    return "off" if v is False else v  # YAML 1.1 reads a bare `off` (or ${VAR} set to off) as false


_OFF = BeforeValidator(_yaml_off)  # on every choice that includes "off"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TLS(Strict):
    cert: str
    key: str


class Server(Strict):
    host: str = "127.0.0.1"
    port: int = Field(4000, ge=0, le=65535)
    workers: PositiveInt = 1
    max_body_bytes: PositiveInt = 10 * 1024 * 1024
    tls: TLS | None = None
    reload: bool = True  # watch the config file and reload on change (SIGHUP always reloads)


class Logging(Strict):
    level: Literal["debug", "info", "warning", "error"] = "info"
    access_log: bool = True  # one JSON line per request (no bodies, no keys)
    log_bodies: bool = False  # the access line carries the request body, every sensitive value redacted


class Metrics(Strict):
    enabled: bool = True
    path: str = "/metrics"


ProviderType = Literal["openai", "azure-openai", "anthropic", "gemini", "bedrock", "openai-compatible", "demo"]


class Provider(Strict):
    """A vendor connection: where it is and how to authenticate."""

    type: ProviderType
    base_url: str | None = None
    api_key: str | None = None
    api_key_file: str | None = None
    api_version: str | None = None  # azure-openai
    region: str | None = None  # bedrock
    access_key_id: str | None = None  # bedrock
    secret_access_key: str | None = None  # bedrock
    session_token: str | None = None  # bedrock
    headers: dict[str, str] = Field(default_factory=dict)
    connect_timeout_s: PositiveFloat = 10.0
    verify_tls: bool = True
    ca_file: str | None = None
    # demo vendor only: delay between streamed chunks, and before the answer
    demo_chunk_delay_ms: float = Field(0.0, ge=0)
    demo_latency_ms: float = Field(0.0, ge=0)

    @model_validator(mode="after")
    def _check(self) -> Provider:
        if self.type in ("openai-compatible", "azure-openai") and not self.base_url:
            raise ValueError(f"a provider of type {self.type!r} needs base_url")
        if self.type == "azure-openai" and not self.api_version:
            raise ValueError("a provider of type 'azure-openai' needs api_version (e.g. 2024-10-21)")
        if self.type == "bedrock" and not self.region:
            raise ValueError("a provider of type 'bedrock' needs region")
        if self.api_key and self.api_key_file:
            raise ValueError("give api_key or api_key_file, not both")
        return self


class Target(Strict):
    provider: str
    model: str
    weight: float = Field(1.0, gt=0)


class CircuitBreaker(Strict):
    consecutive_failures: PositiveInt = 5
    error_rate: float = Field(0.5, gt=0, le=1)
    window_s: PositiveFloat = 30.0
    min_requests: PositiveInt = 20
    cooldown_s: PositiveFloat = 10.0


class RoutingDefaults(Strict):
    retries: int = Field(2, ge=0, le=10)
    backoff_base_s: float = Field(0.05, ge=0)
    backoff_max_s: float = Field(2.0, ge=0)
    max_retry_after_s: float = Field(10.0, ge=0)  # a longer Retry-After moves on to a fallback
    timeout_s: PositiveFloat = 600.0  # total deadline per request
    first_token_timeout_s: PositiveFloat = 60.0
    attempt_timeout_s: PositiveFloat | None = None  # non-streaming: one attempt's limit (None: the deadline)
    circuit_breaker: CircuitBreaker = CircuitBreaker()


class Limits(Strict):
    """Rate limits for one scope. Tokens per minute are reserved at admission (estimated prompt +
    max output) and settled to the vendor's usage when the call ends."""

    rpm: PositiveInt | None = None  # requests per minute
    tpm: PositiveInt | None = None  # tokens per minute
    concurrency: PositiveInt | None = None  # calls in flight


Window = Literal["minute", "hour", "day", "month", "total"]


class Budget(Strict):
    """A token or money budget for the scope it is attached to."""

    tokens: PositiveInt | None = None
    usd: PositiveFloat | None = None
    window: Window = "month"
    rolling: bool = False  # false: calendar windows in ``timezone``; true: the last window-length
    timezone: str = "UTC"
    mode: Literal["hard", "soft"] = "hard"  # hard refuses (429 budget_exceeded); soft allows and alerts
    model: str | None = None  # only calls to this model group count (e.g. a team's gpt-4o budget)
    alert_at: list[float] = Field(default_factory=lambda: [0.8, 1.0])

    @model_validator(mode="after")
    def _check(self) -> Budget:
        if (self.tokens is None) == (self.usd is None):
            raise ValueError("a budget gives exactly one of tokens or usd")
        if self.rolling and self.window in ("month", "total"):
            raise ValueError("rolling windows are minute, hour or day")
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(self.timezone)
        except Exception:
            raise ValueError(f"unknown timezone {self.timezone!r} (an IANA name such as Europe/Paris)") from None
        return self


GUARD_OFF = "none"  # ``guard_policy: none``: no guard for this scope and none inherited from outside it


def _policy_name(v: str | None) -> str | None:
    """An empty value (e.g. an unset ${VAR:-}) means "not set here": resolution goes outward.
    ``none`` (any case) is kept as GUARD_OFF: it switches the guard off and stops resolution."""
    if v is None or not v.strip():
        return None
    return GUARD_OFF if v.strip().lower() == GUARD_OFF else v


def _default_policy_name(v: str | None) -> str | None:
    """For ``guard.default_policy`` there is nothing further out: ``none`` and empty both mean unset."""
    name = _policy_name(v)
    return None if name == GUARD_OFF else name


GuardPolicyName = Annotated[str | None, AfterValidator(_policy_name)]


class Org(Strict):
    name: str | None = None
    guard_policy: GuardPolicyName = None
    budgets: list[Budget] = Field(default_factory=list)
    limits: Limits | None = None


class Team(Strict):
    org: str | None = None
    name: str | None = None
    guard_policy: GuardPolicyName = None
    budgets: list[Budget] = Field(default_factory=list)
    limits: Limits | None = None


class User(Strict):
    team: str | None = None
    org: str | None = None  # implied by the team when not given
    email: str | None = None
    budgets: list[Budget] = Field(default_factory=list)
    limits: Limits | None = None


class Price(Strict):
    """USD (or ``currency``) per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(None, ge=0)  # default: the input price
    cache_write: float | None = Field(None, ge=0)  # default: the input price
    reasoning: float | None = Field(None, ge=0)  # default: the output price
    currency: str = "USD"
    effective: str | None = None  # ISO date the price took effect


class Metering(Strict):
    default_max_output_tokens: PositiveInt = 4096  # reserved when a request names no max
    max_reserved_output_tokens: PositiveInt = 32768  # never reserve more than this per call


class Ledger(Strict):
    enabled: bool = True
    path: str = "./data"  # directory: ledger.db (SQLite, WAL) and journal/
    retention_days: PositiveInt = 400
    fsync: bool = False  # fsync the journal per call (survives power loss, not only kill -9)


class Admin(Strict):
    """The admin API under /admin/ and the CLI that calls it."""

    keys: list[str] = Field(default_factory=list)  # secrets, or sha256:<hex> hashes; empty = admin API off
    store_path: str | None = None  # SQLite file for keys/orgs/teams/users/budgets made through the API;
    # default <ledger.path>/tokenway.db

    @model_validator(mode="after")
    def _drop_empty(self) -> Admin:
        # "${TOKENWAY_ADMIN_KEY:-}" with the variable unset leaves "": that is "no admin key", not a key
        object.__setattr__(self, "keys", [k for k in self.keys if k])
        return self


class Alerts(Strict):
    webhook_url: str | None = None  # POST JSON on soft-limit alerts
    webhook_timeout_s: PositiveFloat = 5.0


GuardAction = Annotated[Literal["block", "redact", "pseudonymize", "log", "off"], _OFF]
BlockOrLog = Annotated[Literal["block", "log", "off"], _OFF]


class InjectionGuard(Strict):
    action: BlockOrLog = "block"
    threshold: float = Field(0.5, ge=0, le=1)  # block at or above this combined score
    classifier: bool = True  # the local embedding classifier (after the rules; see docs/guardrails.md)
    classifier_threshold: float | None = Field(None, ge=0, le=1)  # default: the trained head's threshold
    # what a classifier-only verdict does (default: ``action``). ``log`` records it without blocking:
    # the shipped head still flags some short benign texts (docs/guardrails.md), so rules block and
    # the classifier is watched until its false-positive rate meets the target
    classifier_action: Literal["block", "log"] | None = None
    scan_roles: list[str] = Field(default_factory=lambda: ["user", "tool"])  # + tool definitions always


class OutputGuard(Strict):
    enabled: bool = False
    # for the detectors the policy names
    sensitive: Annotated[Literal["redact", "block", "log", "off"], _OFF] = "redact"
    system_prompt_leak: BlockOrLog = "block"
    leak_min_chars: PositiveInt = 60  # verbatim overlap with the system prompt that counts as a leak
    canary: bool = False  # plant a canary string in the system prompt; its echo is a leak
    hold_back_chars: PositiveInt = 64  # stream window kept back to catch values split across chunks


class GuardPolicy(Strict):
    """What to inspect and what to do. ``sensitive`` maps a detector or group (``pii``,
    ``secret``, ``national_id``, ``email``, ``card``…) to an action."""

    injection: InjectionGuard = InjectionGuard()
    sensitive: dict[str, GuardAction] = Field(default_factory=dict)
    output: OutputGuard = OutputGuard()

    @model_validator(mode="after")
    def _known_detectors(self) -> GuardPolicy:
        if self.sensitive:  # a typo must fail check-config, not crash `serve` later
            from tokenway.guard.sensitive import DETECTORS, GROUPS

            unknown = sorted(set(self.sensitive) - DETECTORS - set(GROUPS))
            if unknown:
                raise ValueError(f"sensitive: unknown detector {', '.join(map(repr, unknown))} (known: groups "
                                 f"{', '.join(sorted(GROUPS))} and {', '.join(sorted(DETECTORS))})")
        return self


class Guard(Strict):
    policies: dict[str, GuardPolicy] = Field(default_factory=dict)
    default_policy: Annotated[str | None, AfterValidator(_default_policy_name)] = None  # no org/team/key names one
    audit_log: bool = True  # one JSON line per decision (detector, action, score, value hash)
    #: texts of 256+ characters whose scan results are remembered by content hash (a conversation re-sends
    #: its history every turn, an agent run every step); 0 scans every text every time
    scan_memo_entries: int = Field(default=4096, ge=0)


class GroupCache(Strict):
    """The response cache of one model group (``models.<name>.cache``): exact, then semantic.
    A hit needs the same scope (tenant, group, system prompt, tools, output-changing parameters,
    response format, the conversation before the last user turn) and a close last user turn."""

    mode: Annotated[Literal["semantic", "exact", "off"], _OFF] = "semantic"
    scope: Literal["org", "team", "user", "key"] = "team"  # the tenant part of the scope
    ttl_s: PositiveFloat = 3600.0
    min_similarity: float = Field(0.80, ge=0, le=1)  # the floor under the learned per-entry thresholds
    verify: bool = True  # the second-stage check: numbers, entities, negation, dates, languages



class CacheStore(Strict):
    """The cache's storage, shared by every group that caches (top-level ``cache:``)."""

    max_entries: PositiveInt = 100_000  # least recently used entries go first beyond this
    max_entry_bytes: PositiveInt = 256 * 1024  # answers larger than this are not cached


class RouteRule(Strict):
    """Conditions on the request; all that are given must hold."""

    min_prompt_tokens: PositiveInt | None = None
    max_prompt_tokens: PositiveInt | None = None
    code: bool | None = None  # the last user turn contains code
    tools: bool | None = None  # the request offers tools
    languages: list[str] | None = None  # ISO 639-1 codes of the last user turn's language (en, zh, ja…)


class RouterRoute(Strict):
    name: str = Field(min_length=1)
    to: str  # a model group (not itself a router)
    utterances: list[str] = Field(default_factory=list)  # example requests for this route
    description: str | None = None  # embedded like an utterance
    when: RouteRule | None = None  # a route with rules and no examples is a pure rule


class SemanticRouter(Strict):
    """A model group that is a router (``models.<name>.router``): rules first, in order, then the
    closest example among the semantic routes whose rules hold; else ``default``."""

    preset: Literal["tier"] | None = None  # the shipped tier classifier: routes named simple/reasoning/code
    routes: list[RouterRoute] = Field(min_length=1)
    default: str  # a model group
    min_score: float = Field(0.0, ge=0, le=1)  # below this the default route serves
    allow_override: bool = True  # may a request pick a route with the x-tokenway-route header?


class CanaryGuards(Strict):
    """When the canary arm breaches any of these (over its last ``window`` calls, once it has
    ``min_requests``), traffic rolls back to the stable arm."""

    min_requests: PositiveInt = 20
    window: PositiveInt = 200
    max_error_rate: float | None = Field(0.2, ge=0, le=1)
    max_p95_latency_ms: PositiveFloat | None = None
    max_p95_ttft_ms: PositiveFloat | None = None
    max_cost_per_call: PositiveFloat | None = None
    min_feedback: float | None = None  # mean feedback score (when scores are sent)


class Canary(Strict):
    """Send ``percent`` of a group's traffic to another target, sticky per user, session or key."""

    target: Target
    percent: float = Field(gt=0, le=100)
    sticky: Literal["user", "session", "key", "none"] = "user"
    guards: CanaryGuards = CanaryGuards()


class ModelGroup(Strict):
    """A public model name and the targets that serve it — or a router over other groups."""

    targets: list[Target] = Field(default_factory=list)
    router: SemanticRouter | None = None
    cache: GroupCache | None = None
    canary: Canary | None = None
    balance: Literal["weighted", "least-latency"] = "weighted"
    fallbacks: list[str] = Field(default_factory=list)
    retries: int | None = Field(None, ge=0, le=10)
    timeout_s: PositiveFloat | None = None
    first_token_timeout_s: PositiveFloat | None = None
    attempt_timeout_s: PositiveFloat | None = None
    limits: Limits | None = None  # across every caller of this group


class Key(Strict):
    """A virtual key. Give the secret (``key``) or its hash (``key_hash: sha256:<hex>``)."""

    name: str | None = None
    key: str | None = None
    key_hash: str | None = None
    models: list[str] = Field(default_factory=lambda: ["*"])
    user: str | None = None  # the key belongs to a user…
    team: str | None = None  # …or directly to a team
    allow_end_user: bool = False  # take an end-user id from the request's `user` / x-tokenway-user
    budgets: list[Budget] = Field(default_factory=list)
    limits: Limits | None = None
    guard_policy: GuardPolicyName = None
    allow_guard_opt_out: bool = False  # may a request skip detectors with x-tokenway-guard-skip?

    @model_validator(mode="after")
    def _check(self) -> Key:
        if self.user and self.team:
            raise ValueError("a key belongs to a user or to a team, not both")
        if bool(self.key) == bool(self.key_hash):
            raise ValueError("give exactly one of key or key_hash")
        if self.key_hash is not None:
            algo, _, hexd = self.key_hash.partition(":")
            if algo != "sha256" or len(hexd) != 64 or any(c not in "0123456789abcdef" for c in hexd):
                raise ValueError("key_hash must be 'sha256:' followed by 64 lower-case hex digits")
        return self


class Auth(Strict):
    enabled: bool = True


class Config(Strict):
    server: Server = Server()
    logging: Logging = Logging()
    metrics: Metrics = Metrics()
    auth: Auth = Auth()
    routing: RoutingDefaults = RoutingDefaults()
    providers: dict[str, Provider] = Field(default_factory=dict)
    models: dict[str, ModelGroup] = Field(default_factory=dict)
    keys: list[Key] = Field(default_factory=list)
    orgs: dict[str, Org] = Field(default_factory=dict)
    teams: dict[str, Team] = Field(default_factory=dict)
    users: dict[str, User] = Field(default_factory=dict)
    metering: Metering = Metering()
    prices: dict[str, Price] = Field(default_factory=dict)  # by vendor model name; overrides the catalog
    ledger: Ledger = Ledger()
    admin: Admin = Admin()
    alerts: Alerts = Alerts()
    guard: Guard = Guard()
    cache: CacheStore = CacheStore()

    @model_validator(mode="after")
    def _check_refs(self) -> Config:
        for name, t in self.teams.items():
            if t.org is not None and t.org not in self.orgs:
                raise ValueError(f"teams.{name}.org: unknown org {t.org!r}")
        for name, u in self.users.items():
            if u.team is not None and u.team not in self.teams:
                raise ValueError(f"users.{name}.team: unknown team {u.team!r}")
            if u.org is not None and u.org not in self.orgs:
                raise ValueError(f"users.{name}.org: unknown org {u.org!r}")
        policies = self.guard.policies
        if GUARD_OFF in policies:
            raise ValueError(f"guard.policies: {GUARD_OFF!r} is reserved (guard_policy: none switches the guard off)")
        if self.guard.default_policy is not None and self.guard.default_policy not in policies:
            raise ValueError(f"guard.default_policy: unknown guard policy {self.guard.default_policy!r}")
        for kind, table in (("orgs", self.orgs), ("teams", self.teams)):
            for name, ent in table.items():
                if ent.guard_policy not in (None, GUARD_OFF) and ent.guard_policy not in policies:
                    raise ValueError(f"{kind}.{name}.guard_policy: unknown guard policy {ent.guard_policy!r}")
        for i, k in enumerate(self.keys):
            if k.guard_policy not in (None, GUARD_OFF) and k.guard_policy not in policies:
                raise ValueError(f"keys.{i}.guard_policy: unknown guard policy {k.guard_policy!r}")
            if k.user is not None and k.user not in self.users:
                raise ValueError(f"keys.{i}.user: unknown user {k.user!r}")
            if k.team is not None and k.team not in self.teams:
                raise ValueError(f"keys.{i}.team: unknown team {k.team!r}")
        for name, group in self.models.items():
            _check_group(name, group, self.models)
            extra = [group.canary.target] if group.canary is not None else []
            for i, t in enumerate([*group.targets, *extra]):
                if t.provider not in self.providers:
                    known = ", ".join(sorted(self.providers)) or "none defined"
                    where = "canary.target" if i == len(group.targets) else f"targets.{i}"
                    raise ValueError(
                        f"models.{name}.{where}.provider: unknown provider {t.provider!r} (known: {known})"
                    )
            for fb in group.fallbacks:
                if fb not in self.models:
                    raise ValueError(f"models.{name}.fallbacks: unknown model group {fb!r}")
                if fb == name:
                    raise ValueError(f"models.{name}.fallbacks: a group cannot fall back to itself")
        return self


def _check_group(name: str, group: ModelGroup, models: dict[str, ModelGroup]) -> None:
    """A group has targets, or is a router over groups that have targets."""
    r = group.router
    if r is None:
        if not group.targets:
            raise ValueError(f"models.{name}: give targets (or a router)")
        return
    if group.targets or group.canary is not None:
        raise ValueError(f"models.{name}: a router has routes, not targets or a canary")
    names = [rt.name for rt in r.routes]
    if len(set(names)) != len(names):
        raise ValueError(f"models.{name}.router.routes: route names must be unique")
    for i, rt in enumerate(r.routes):
        where = f"models.{name}.router.routes.{i}.to"
        if rt.to not in models:
            raise ValueError(f"{where}: unknown model group {rt.to!r}")
        if models[rt.to].router is not None:
            raise ValueError(f"{where}: {rt.to!r} is a router; a route leads to a group with targets")
        if r.preset is None and not rt.utterances and rt.description is None and rt.when is None:
            raise ValueError(f"models.{name}.router.routes.{i}: give utterances, a description or when")
    if r.default not in models or models[r.default].router is not None:
        raise ValueError(f"models.{name}.router.default: {r.default!r} is not a model group with targets")
