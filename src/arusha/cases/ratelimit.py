"""Rate limits of the reporters' pages that never record an address.

A client is known only by HMAC(key, its address), where the key is drawn at random
when the process starts and is never stored: the tag cannot be turned back into an
address, and it means nothing to another process or after a restart. Counters live in
the process's own memory cache ("ephemeral" in settings.CACHES), never in the
database, and carry no time finer than their window. With several web processes each
counts on its own, so a client may get up to the limit once per process; a reverse
proxy in front can add its own limit in memory (docs/cases-reporting.md).

The address is the connection's (REMOTE_ADDR): X-Forwarded-For is never read, since
anyone can write it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from arusha.core.models import Organization

# Made at start, kept only in this process's memory.
_CLIENT_KEY = secrets.token_bytes(32)

HOUR = 3600
QUARTER_HOUR = 900
MINUTE = 60


def client_tag(request: HttpRequest) -> str:
    address = str(request.META.get("REMOTE_ADDR", ""))
    return hmac.new(_CLIENT_KEY, address.encode(), hashlib.sha256).hexdigest()[:32]


def _count(bucket: str, window: int) -> int:
    """Add one to the bucket's counter for the current window and return the new count."""
    cache = caches["ephemeral"]
    key = f"cases-rl:{bucket}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def submission_allowed(request: HttpRequest) -> bool:
    """One more report from this client this hour?"""
    limit = int(settings.ARUSHA_REPORT_SUBMISSIONS_PER_HOUR)
    return _count(f"submit:{client_tag(request)}", HOUR) <= limit


def receipt_allowed(request: HttpRequest) -> bool:
    """One more receipt attempt from this client in this quarter of an hour?"""
    limit = int(settings.ARUSHA_REPORT_RECEIPT_TRIES_PER_15_MINUTES)
    return _count(f"receipt:{client_tag(request)}", QUARTER_HOUR) <= limit


def message_allowed(request: HttpRequest) -> bool:
    """One more message from a reporter on this client this hour?"""
    limit = int(settings.ARUSHA_REPORT_MESSAGES_PER_HOUR)
    return _count(f"message:{client_tag(request)}", HOUR) <= limit


def flood_allowed(organization: Organization) -> bool:
    """One more report to the organization this minute, whoever sends it? (counts only)"""
    limit = int(settings.ARUSHA_REPORT_FLOOD_PER_MINUTE)
    return _count(f"flood:{organization.pk}", MINUTE) <= limit
