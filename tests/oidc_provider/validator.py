"""Tells the relying party each person's e-mail address, verified, and name."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):  # type: ignore[misc]
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "email": "email",
        "email_verified": "email",
        "name": "profile",
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "email": user.email,
            # A test person whose last name is "Unverified" has an address the provider did not check.
            "email_verified": user.last_name != "Unverified",
            "name": f"{user.first_name} {user.last_name}".strip(),
        }
