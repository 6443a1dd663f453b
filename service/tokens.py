"""Bearer tokens and API keys: read from headers, compared by SHA-256 in constant time."""

from __future__ import annotations

import hashlib
import hmac


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bearer_token(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` header value, or ''."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def token_matches(token: str, hashes: list[str]) -> bool:
    """Whether `token` hashes to one of `hashes` (SHA-256 hex), without timing leaks."""
    digest = token_hash(token)
    return any(hmac.compare_digest(digest, h) for h in hashes)
