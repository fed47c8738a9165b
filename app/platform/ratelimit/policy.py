"""Which limits each operation applies, with their sizes from settings (docs/cache.md).

Login and password resets fail closed (503) while Redis is unavailable: unthrottled they invite
credential stuffing and mail bombing. Registration, views and writes fail open: refusing them
would turn a cache outage into an outage of the service.

Login is limited per account from each address, and per account from all of them under a ceiling
several times higher. Guessing from other addresses then throttles the guesser, while the owner,
logging in from an address of their own, still gets in: only an attack spread over more
addresses than the ceiling's multiple of the per-address quota refuses the owner too.

A post view is counted per client address, signed in or not: it is a side effect of reading, so
it does not spend the reader's write budget, and signing in does not lift the limit.
"""

from __future__ import annotations

import time

from app.platform.authz import Principal
from app.platform.cache.store import Store
from app.platform.ratelimit.limiter import Check, Clock, RateLimiter, Rule
from app.settings import Settings

WRITES = frozenset(
    {
        "createPost",
        "updatePost",
        "deletePost",
        "createCategory",
        "updateCategory",
        "deleteCategory",
        "createTag",
        "updateTag",
        "deleteTag",
        "updateCurrentUser",
        "updateUserRole",
        "createAttachment",
        "completeAttachment",
        "deleteAttachment",
        "restorePost",
        "restorePostRevision",
    }
)


class RateLimits:
    def __init__(self, store: Store, settings: Settings, *, clock: Clock = time.time) -> None:
        self.limiter = RateLimiter(store, clock=clock)
        self.login_account_ip = Rule(
            "login-account-ip", settings.ratelimit_login_per_account_ip, "closed"
        )
        self.login_account = Rule("login-account", settings.ratelimit_login_per_account, "closed")
        self.login_ip = Rule("login-ip", settings.ratelimit_login_per_ip, "closed")
        self.register_ip = Rule("register-ip", settings.ratelimit_register_per_ip, "open")
        self.reset_ip = Rule(
            "password-reset-ip", settings.ratelimit_password_reset_per_ip, "closed"
        )
        self.reset_confirm_ip = Rule(
            "password-reset-confirm-ip", settings.ratelimit_password_reset_confirm_per_ip, "closed"
        )
        self.writes_user = Rule("writes-user", settings.ratelimit_writes_per_user, "open")
        self.views_ip = Rule("views-ip", settings.ratelimit_views_per_ip, "open")
        # Operations limited per client address, whoever calls them.
        self.by_ip = {
            "createSession": self.login_ip,
            "registerUser": self.register_ip,
            "requestPasswordReset": self.reset_ip,
            "confirmPasswordReset": self.reset_confirm_ip,
            "recordPostView": self.views_ip,
        }

    async def before_operation(
        self, operation_id: str, *, client_ip: str, principal: Principal | None
    ) -> None:
        """The limits counted before the handler runs; login's per-account limit comes later,
        once the body names the account."""
        checks = []
        if (rule := self.by_ip.get(operation_id)) is not None:
            checks.append(Check(rule, client_ip))
        if operation_id in WRITES and principal is not None:
            checks.append(Check(self.writes_user, str(principal.user_id)))
        await self.limiter.enforce(*checks)

    async def login_attempt(self, *, email: str, client_ip: str) -> None:
        """Counted before the password is checked, so guessing costs no hashing past the limit.

        The account's ceiling counts only the attempts its per-address limit let through: the
        attempts one address keeps making after its own refusal never reach the ceiling, so they
        cannot spend it for the owner.
        """
        await self.limiter.enforce(Check(self.login_account_ip, f"{email}\n{client_ip}"))
        await self.limiter.enforce(Check(self.login_account, email))
