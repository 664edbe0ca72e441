"""`manage.py load_demo`: the fictional administration, its people and a first assessment."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from arusha.demo.cases import DEMO_VAULT_PASSPHRASE
from arusha.demo.data import CUSTOMS_SLUG, DEMO_PASSWORD, load_demo
from arusha.demo.surveys import DEMO_SURVEY_PASSPHRASE


class Command(BaseCommand):
    help = "Create the demo organizations, people and assessment (once; running it again changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        receipts: list[str] = []
        rows = load_demo(receipts)
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for email, roles, where in rows:
            self.stdout.write(f"  {email:<36} {roles}  [{where}]")
        self.stdout.write(
            f"Case vault passphrase (integrity officer, handler, custodian): {DEMO_VAULT_PASSPHRASE}"
        )
        self.stdout.write(f"Reporters' pages: /report/{CUSTOMS_SLUG}/")
        self.stdout.write(f"Survey key passphrase (both waves of the demo survey): {DEMO_SURVEY_PASSPHRASE}")
        for receipt in receipts:
            self.stdout.write(f"Receipt of a demo report (shown once, follow it up there): {receipt}")
