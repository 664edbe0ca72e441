"""Delete the idempotency keys of create forms older than a day (docs/concurrency.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from arusha.core.concurrency import purge_keys


class Command(BaseCommand):
    help = "Delete creation keys older than 24 hours (each person's own are also purged as they create)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{purge_keys()} creation key(s) deleted.")
