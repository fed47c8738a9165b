"""Email addresses are checked for the syntax the contract's `format: email` names, nothing more."""

from __future__ import annotations

import email_validator


def accept_special_use_domains() -> None:
    """email-validator also refuses reserved domains (.test, .local); the contract does not."""
    email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()


def normalize_email(email: str) -> str:
    """The form accounts are looked up by: one account per address, whatever its case."""
    return email.strip().lower()
