"""`manage.py load_framework PATH`: validate a pack, then load it, or write nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arusha.core.errors import DomainError
from arusha.frameworks.loader import PackInvalidError, parse_path
from arusha.frameworks.services import framework_load

BUILTIN = Path(__file__).resolve().parents[2] / "packs" / "rad-idg-2021"


class Command(BaseCommand):
    help = "Load a framework pack (a YAML file, or a folder with pack.yaml). Without PATH, the built-in pack."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["path"]
        builtin = path is None
        try:
            parsed = parse_path(path or BUILTIN)
            version, written = framework_load(actor=None, parsed=parsed, builtin=builtin)
        except PackInvalidError as invalid:
            for error in invalid.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(invalid.errors)} error(s): nothing was loaded.") from invalid
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        state = "loaded" if written else "already loaded, unchanged"
        questions = version.questions.count()
        self.stdout.write(f"{version}: {state} ({version.areas.count()} areas, {questions} questions).")
