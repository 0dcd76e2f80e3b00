"""Secrets the platform hands out once (an API key, an invitation's link) and keeps only as a digest."""

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 random bits: a secret nobody guesses, and whose plain SHA-256 nobody reverses


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the database keeps of a secret: its SHA-256, in hexadecimal."""
    return hashlib.sha256(token.encode()).hexdigest()
