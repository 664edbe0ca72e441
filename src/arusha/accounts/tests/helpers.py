"""Helpers of the sign-in tests, shared with the browser test: TOTP codes, sign-in by form."""

from __future__ import annotations

import re
import time
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

PASSWORD = "correct-horse-battery-staple"


def totp_code(secret: str, step: int = 0) -> str:
    """The code an authenticator app shows now (`step` 30-second steps later or earlier)."""
    code: str = format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))
    return code


def secret_on_page(html: str) -> str:
    found = re.search(r'id="authenticator-secret">([A-Z2-7]+)<', html)
    assert found, "the enrolment page shows the secret"
    return found.group(1)


def enrol_totp(client: Any) -> str:
    """Enrol the signed-in person's authenticator app through the real pages; returns the secret."""
    secret = secret_on_page(client.get(reverse("mfa_activate_totp")).content.decode())
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, -1)})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return secret


def sign_in(client: Any, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(reverse("login"), {"login": email, "password": password}, **extra)
