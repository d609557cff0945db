"""Version tokens in the shared cache (Redis in production): a process keeps a copy of something
read from the database (reference data, a user's grants) with the token it was read under, and
compares tokens (one cache round trip) before using it; a change replaces the token, so every
process reloads on its next use."""

from __future__ import annotations

import uuid

from django.core.cache import cache


def current(key: str) -> str:
    """The token now in force under ``key`` (made on first use, the same for every process)."""
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key)
    return version


def replace(key: str) -> None:
    """Every copy read under the old token is stale now."""
    cache.set(key, uuid.uuid4().hex, timeout=None)
