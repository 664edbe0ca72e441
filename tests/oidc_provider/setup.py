"""Registers Arusha as a client of the test provider and adds its people (argument: JSON)."""

from __future__ import annotations

import json
import sys

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


def main(setup: dict[str, object]) -> None:
    Application.objects.update_or_create(
        client_id=setup["client_id"],
        defaults={
            "name": "Arusha",
            "client_secret": setup["secret"],
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": setup["redirect_uri"],
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
        },
    )
    for person in setup["people"]:  # type: ignore[attr-defined]
        user, _created = User.objects.get_or_create(username=person["username"])
        user.email = person["email"]
        user.first_name, user.last_name = person.get("first_name", ""), person.get("last_name", "")
        user.set_password(person["password"])
        user.save()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
