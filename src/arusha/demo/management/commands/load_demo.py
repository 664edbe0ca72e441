"""`manage.py load_demo`: the fictional administration, its people and a first assessment."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from arusha.demo.data import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create the demo organizations, people and assessment (once; running it again changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = load_demo()
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for email, roles, where in rows:
            self.stdout.write(f"  {email:<36} {roles}  [{where}]")
