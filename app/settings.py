"""One settings class: everything the service reads from its environment or a local .env."""

from __future__ import annotations

import hashlib
import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
MIN_PEPPER_LENGTH = 32
# The one environment allowed the embedded stand-ins (make run, the tests); any other value is
# a deployment, which refuses to start with them (Settings._deployable).
LOCAL = "local"


def _parse_quota(value: Any) -> Any:
    if isinstance(value, str):
        count, _, seconds = value.partition("/")
        return {"count": count.strip(), "seconds": seconds.strip()}
    return value


class Quota(BaseModel):
    """A rate limit's size, written in settings and env as "count/seconds" (e.g. "10/60")."""

    model_config = ConfigDict(frozen=True)

    count: int = Field(ge=1)
    seconds: int = Field(ge=1, le=86400)

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}"


# NoDecode: the env value is the "count/seconds" text, not JSON.
QuotaSetting = Annotated[Quota, NoDecode, BeforeValidator(_parse_quota)]


def _parse_seconds_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# Written in env as comma-separated seconds ("5,300,1800"), not JSON.
SecondsList = Annotated[tuple[int, ...], NoDecode, BeforeValidator(_parse_seconds_list)]


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class Settings(BaseSettings):
    """Everything the service reads from its environment (or a local .env file)."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    # "local" (make run, tests) allows the embedded stand-ins; anything else refuses them.
    environment: str = LOCAL
    log_level: str = "INFO"

    database_url: str = "sqlite+aiosqlite:///var/blog.db"
    database_pool_size: int = Field(default=5, ge=1)
    database_echo: bool = False
    database_max_overflow: int = Field(default=10, ge=0)
    # Aurora DSQL: set the cluster endpoint to connect with IAM tokens instead of DATABASE_URL.
    database_dsql_endpoint: str | None = None
    # Defaults to the region in the endpoint's name.
    database_dsql_region: str | None = None
    # "admin" gets admin tokens (dsql:DbConnectAdmin); any other role gets dsql:DbConnect ones.
    database_dsql_user: str = "admin"
    database_dsql_token_ttl_seconds: int = Field(default=900, ge=60, le=604800)
    # A CA bundle for verify-full; the system store when unset.
    database_ssl_root_cert: Path | None = None
    transaction_max_attempts: int = Field(default=4, ge=1, le=10)

    # Keys the HMAC of session tokens and the signature of pagination cursors; required, unless
    # token_pepper_secret_id or token_pepper_parameter names where the lifespan reads it.
    token_pepper: SecretStr = SecretStr("")

    session_absolute_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=60)
    session_idle_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60)

    # A directory (policy.wasm, data.json) or a bundle tarball; on Lambda, the layer's copy.
    opa_bundle_path: Path = ROOT / "opa" / "build"
    # Where the compiled policy module is cached between cold starts; off when unset.
    opa_cache_dir: Path | None = None

    # One CloudWatch embedded metric format record per request, on stdout.
    metrics_enabled: bool = True
    metrics_namespace: str = "BlogApi"

    # Without it the app uses an in-process fakeredis, so `make run` needs no server.
    redis_url: str | None = None
    # Past this a Redis call counts as failed and the request goes on without Redis.
    redis_timeout_seconds: float = Field(default=0.05, gt=0, le=5)
    # After a failure, Redis is skipped for this long instead of paying the timeout each call.
    redis_retry_after_seconds: float = Field(default=1.0, ge=0, le=60)
    cache_enabled: bool = True
    cache_post_ttl_seconds: int = Field(default=300, ge=1)
    cache_list_ttl_seconds: int = Field(default=60, ge=1)
    cache_category_ttl_seconds: int = Field(default=600, ge=1)
    cache_session_ttl_seconds: int = Field(default=30, ge=1)
    # The L1: each process's own copy of hot post entries, kept coherent by Redis' client-side
    # caching (docs/cache.md, "L1"); off without REDIS_URL. Its size, an entry's longest stay,
    # and how long it may serve unheard from Redis (below the Redis timeout).
    cache_l1_enabled: bool = True
    cache_l1_max_entries: int = Field(default=1024, ge=1, le=1_000_000)
    cache_l1_max_age_seconds: float = Field(default=5.0, gt=0, le=300)
    cache_l1_max_silence_seconds: float = Field(default=0.04, gt=0, le=5)
    # "count/seconds", e.g. "10/60": at most count requests per fixed window of seconds.
    # Logins per account from one address, then per account from everywhere: a ceiling well
    # above the first, so guessing from other addresses does not lock the owner out.
    ratelimit_login_per_account_ip: QuotaSetting = Quota(count=10, seconds=60)
    ratelimit_login_per_account: QuotaSetting = Quota(count=100, seconds=60)
    ratelimit_login_per_ip: QuotaSetting = Quota(count=50, seconds=60)
    ratelimit_register_per_ip: QuotaSetting = Quota(count=20, seconds=600)
    ratelimit_password_reset_per_ip: QuotaSetting = Quota(count=10, seconds=600)
    # Confirming has its own budget: asking for links must not use up the tries to spend one.
    ratelimit_password_reset_confirm_per_ip: QuotaSetting = Quota(count=20, seconds=600)
    ratelimit_writes_per_user: QuotaSetting = Quota(count=120, seconds=60)
    # Views come from every reader at reading pace, and many readers may share an address.
    ratelimit_views_per_ip: QuotaSetting = Quota(count=300, seconds=60)
    # A viewer's repeated views of one post within this window count once.
    views_dedupe_window_seconds: int = Field(default=1800, ge=1, le=7 * 86400)

    # Peers whose X-Forwarded-For is believed (addresses or CIDR networks, comma-separated): the
    # Lambda Web Adapter connects from loopback. The client is the right-most entry that is not
    # one of them (app/http/middleware.py, ClientAddressMiddleware).
    forwarded_allow_ips: str = "127.0.0.1"
    # The rendered contract at /docs; unset: served with ENVIRONMENT=local only.
    docs_enabled: bool | None = None

    # AWS. The endpoint is the SDK's standard AWS_ENDPOINT_URL: an emulator locally, unset on AWS.
    aws_endpoint_url: str | None = None
    # Per-service overrides, like the SDK's AWS_ENDPOINT_URL_<SERVICE>: {"sqs": "http://..."}.
    aws_service_endpoints: dict[str, str] = Field(default_factory=dict)
    aws_region: str = "us-east-1"
    aws_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    aws_read_timeout_seconds: float = Field(default=5.0, gt=0)
    aws_max_attempts: int = Field(default=3, ge=1, le=10)
    aws_max_pool_connections: int = Field(default=20, ge=1)
    views_table: str = "blog-post-views"
    jobs_table: str = "blog-jobs"
    resets_table: str = "blog-password-resets"
    uploads_bucket: str = "blog-uploads"
    jobs_queue: str = "blog-jobs"
    mail_queue: str = "blog-mail"
    events_topic: str = "blog-events"
    # When set, the pepper is read from Secrets Manager (an id) or Parameter Store (a name).
    token_pepper_secret_id: str | None = None
    token_pepper_parameter: str | None = None
    secrets_cache_ttl_seconds: int = Field(default=300, ge=0)

    # The outbox (app/platform/outbox): how long a request owns the rows it wrote before the
    # sweeper may take them, the sweeper's pace, and when a row that keeps failing goes dead.
    outbox_lease_seconds: float = Field(default=10.0, gt=0, le=300)
    outbox_sweep_interval_seconds: float = Field(default=5.0, gt=0, le=300)
    outbox_max_attempts: int = Field(default=10, ge=1, le=50)
    outbox_backoff_cap_seconds: float = Field(default=300.0, gt=0)

    # The trash (app/posts/trash.py): a deleted post is purged, with its files, this long after.
    trash_retention_days: int = Field(default=30, ge=1, le=3650)
    # How often the poller publishes due scheduled posts and purges old trash: a scheduled post
    # goes out at most this long (plus the sweep's run) after its time, hence at most 60 s.
    posts_sweep_interval_seconds: float = Field(default=10.0, gt=0, le=60)

    # Idempotency-Key (app/http/idempotency.py): the DynamoDB table of keys and first answers,
    # and how long an unfinished request holds its key before a retry may take it over (longer
    # than any request runs: the Lambda timeout).
    idempotency_table: str = "blog-idempotency"
    idempotency_lease_seconds: int = Field(default=60, ge=1, le=3600)

    # Uploads in progress (declared, not completed, form not expired) at most per post and per
    # uploader: each open form may still put a file into the bucket (app/attachments/service.py).
    attachments_pending_per_post: int = Field(default=10, ge=1)
    attachments_pending_per_user: int = Field(default=20, ge=1)

    # The feeds (app/feeds): the public site's origin, whose absolute URLs the feed and the
    # sitemap name (its post pages are /posts/{slug}, and it routes /v1 and /sitemap.xml here);
    # it must be set, and not loopback, outside local. Then their size and cache lifetimes.
    public_base_url: str = "http://127.0.0.1:8000"
    feed_title: str = Field(default="Blog", min_length=1, max_length=200)
    feed_max_entries: int = Field(default=50, ge=1, le=500)
    # The sitemap protocol allows 50,000 URLs per file; the home page is one of them.
    sitemap_max_urls: int = Field(default=50_000, ge=1, le=50_000)
    # Every post write retires the cached documents; this bounds how long an author's new
    # display name takes to show.
    cache_feed_ttl_seconds: int = Field(default=300, ge=1)
    # Cache-Control: public, max-age on the documents, for feed readers and shared caches.
    feed_max_age_seconds: int = Field(default=300, ge=0, le=86400)

    # Webhook deliveries (app/webhooks). The waits between attempts (Standard Webhooks'
    # schedule, the last wait shortened so the attempts end within 24 hours), each with up to
    # 10 % jitter; after the last one fails the delivery is `failed`.
    webhooks_retry_schedule_seconds: SecondsList = (5, 300, 1800, 7200, 18000, 36000, 21600)
    # One attempt's whole exchange (connect, send, answer); the contract promises 5 seconds.
    webhooks_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    webhooks_resolve_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # How long a worker owns the deliveries it claimed before another may take them: longer
    # than a batch of sends takes.
    webhooks_claim_seconds: float = Field(default=60.0, gt=0, le=900)
    webhooks_batch: int = Field(default=20, ge=1, le=500)
    # After a rotation the previous secret signs too for this long.
    webhooks_rotation_grace_seconds: int = Field(default=86400, ge=0, le=30 * 86400)
    # Encrypts the signing secrets at rest (AES-256-GCM); derived from the pepper when unset.
    webhooks_secret_key: SecretStr = SecretStr("")
    # Lets webhook URLs reach loopback and private addresses: for tests and make run only.
    webhooks_allow_private_targets: bool = False
    # Off, the worker sends no delivery (they wait, pending): for runs that must not reach out,
    # such as the contract run, whose fuzzed subscriptions name random hosts.
    webhooks_deliver: bool = True

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    spec_path: Path = ROOT / "spec" / "openapi.yaml"

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        for entry in value.split(","):
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"FORWARDED_ALLOW_IPS: {entry.strip()!r} is not an address or a network"
                ) from None
        return value

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url_is_an_origin(cls, value: str) -> str:
        """An http(s) URL with a host and at most a path (kept without its trailing slash)."""
        parts = urlsplit(value.strip())
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.username is not None
            or parts.query
            or parts.fragment
        ):
            raise ValueError(
                f"PUBLIC_BASE_URL: {value!r} is not an http(s) URL with a host and no query"
            )
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _l1_silence_below_the_redis_timeout(self) -> Settings:
        """A writer facing a stalled Redis answers after the timeout; by then no L1 may serve."""
        if (
            self.cache_l1_enabled
            and self.cache_l1_max_silence_seconds >= self.redis_timeout_seconds
        ):
            raise ValueError(
                "CACHE_L1_MAX_SILENCE_SECONDS must be below REDIS_TIMEOUT_SECONDS "
                f"({self.cache_l1_max_silence_seconds} >= {self.redis_timeout_seconds})"
            )
        return self

    @model_validator(mode="after")
    def _pepper_has_a_source(self) -> Settings:
        stored = self.token_pepper_secret_id or self.token_pepper_parameter
        if not stored and len(self.token_pepper.get_secret_value()) < MIN_PEPPER_LENGTH:
            raise ValueError(
                f"TOKEN_PEPPER needs at least {MIN_PEPPER_LENGTH} characters, unless "
                "TOKEN_PEPPER_SECRET_ID or TOKEN_PEPPER_PARAMETER is set"
            )
        return self

    @model_validator(mode="after")
    def _deployable(self) -> Settings:
        """Outside ENVIRONMENT=local, refuse the stand-ins that make run starts with."""
        if self.environment == LOCAL:
            return self
        problems = []
        if self.redis_url is None:
            problems.append(
                "REDIS_URL is unset (rate limits and the session cache would be per process)"
            )
        if not (self.token_pepper_secret_id or self.token_pepper_parameter):
            problems.append(
                "neither TOKEN_PEPPER_SECRET_ID nor TOKEN_PEPPER_PARAMETER names the pepper's "
                "store (TOKEN_PEPPER from the environment is for ENVIRONMENT=local only)"
            )
        endpoints = [self.aws_endpoint_url or "", *self.aws_service_endpoints.values()]
        if any(_is_loopback(url) for url in endpoints if url):
            problems.append(
                "AWS_ENDPOINT_URL or AWS_SERVICE_ENDPOINTS points at loopback (the embedded "
                "AWS emulator)"
            )
        if _is_loopback(self.public_base_url):
            problems.append(
                "PUBLIC_BASE_URL is unset or loopback (the feed and sitemap would link there)"
            )
        if self.is_sqlite:
            problems.append("DATABASE_URL is SQLite (use DATABASE_DSQL_ENDPOINT or PostgreSQL)")
        if self.webhooks_allow_private_targets:
            problems.append(
                "WEBHOOKS_ALLOW_PRIVATE_TARGETS is true (webhooks could reach internal addresses)"
            )
        if problems:
            raise ValueError(
                f"ENVIRONMENT={self.environment} refuses to start: " + "; ".join(problems)
            )
        return self

    @property
    def serves_docs(self) -> bool:
        """Whether /docs renders the contract: DOCS_ENABLED, else only when local."""
        return self.environment == LOCAL if self.docs_enabled is None else self.docs_enabled

    def trusted_proxies(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(
            ipaddress.ip_network(entry.strip(), strict=False)
            for entry in self.forwarded_allow_ips.split(",")
        )

    def cursor_key(self) -> bytes:
        """Signs pagination cursors; derived from the pepper, so it needs no secret of its own."""
        return hashlib.sha256(b"cursor:" + self.token_pepper.get_secret_value().encode()).digest()

    def webhook_secrets_key(self) -> bytes:
        """The AES-256 key of the stored webhook secrets: WEBHOOKS_SECRET_KEY's digest, or else
        one derived from the pepper."""
        configured = self.webhooks_secret_key.get_secret_value()
        if configured:
            return hashlib.sha256(b"webhook-secrets:" + configured.encode()).digest()
        pepper = self.token_pepper.get_secret_value().encode()
        return hashlib.sha256(b"webhook-secrets:pepper:" + pepper).digest()

    @property
    def is_sqlite(self) -> bool:
        return not self.database_dsql_endpoint and self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
