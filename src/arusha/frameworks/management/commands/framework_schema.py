"""`manage.py framework_schema`: print the pack format as JSON Schema."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from arusha.frameworks.loader import json_schema


class Command(BaseCommand):
    help = "Print the JSON Schema of a framework pack."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False))
