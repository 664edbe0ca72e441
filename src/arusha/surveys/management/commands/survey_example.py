"""`manage.py survey_example <organization>`: add the example questionnaire to one of its surveys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scopes_disabled

from arusha.core.errors import DomainError
from arusha.core.models import Organization
from arusha.surveys.example import example_add
from arusha.surveys.models import Survey
from arusha.surveys.services.questionnaires import survey_create, version_publish

DEFAULT_SLUG = "integrity-perception"


class Command(BaseCommand):
    help = (
        "Add the example perception questionnaire (one block per key factor, in English, French and "
        "Spanish) as a new draft version of a survey, creating the survey and its groups if needed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", help="The organization's short name (slug).")
        parser.add_argument(
            "--survey", default=DEFAULT_SLUG, help=f"The survey's short name (default: {DEFAULT_SLUG})."
        )
        parser.add_argument("--publish", action="store_true", help="Publish the new version at once.")

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            organization = Organization.objects.filter(slug=options["organization"]).first()
            if organization is None:
                raise CommandError(f"No organization has the short name {options['organization']!r}.")
            survey = Survey.objects.filter(organization=organization, slug=options["survey"]).first()
        try:
            if survey is None:
                survey = survey_create(
                    actor=None,
                    organization=organization,
                    title="Integrity perception survey",
                    slug=options["survey"],
                )
                self.stdout.write(f"Created the survey {survey.title} ({survey.slug}).")
            version = example_add(actor=None, survey=survey)
            if options["publish"]:
                version = version_publish(actor=None, questionnaire=version)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        state = "published" if version.is_published else "a draft"
        self.stdout.write(f"The example questionnaire is version {version.number} of {survey.slug}, {state}.")
