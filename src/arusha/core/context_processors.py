"""What every page needs: the organization in the URL and the person's unread count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from arusha.core.selectors import unread_notification_count


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = unread_notification_count(user) if user is not None and user.is_authenticated else 0
    return {
        "organization": getattr(request, "organization", None),
        "membership": getattr(request, "membership", None),
        "unread_notifications": unread,
    }
