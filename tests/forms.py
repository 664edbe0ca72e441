"""What tests of forms share: a second person's browser, and the hidden values a form carries."""

from __future__ import annotations

import re

from django.test import Client

from arusha.core.models import User


def signed_in(user: User) -> Client:
    """A browser of its own for `user`, as when two people have the same page open."""
    client = Client()
    client.force_login(user)
    return client


def hidden_value(page: str, name: str) -> str:
    """The value of a form's hidden field (its version, its creation key)."""
    found = re.search(rf'name="{re.escape(name)}" value="([\w-]+)"', page)
    assert found is not None, f"the form carries no {name}"
    return found.group(1)
