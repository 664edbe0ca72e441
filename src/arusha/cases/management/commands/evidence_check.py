"""`manage.py evidence_check`: the nightly integrity check of the evidence register. Needs no key.

    # every night at 02:30, as the user that runs Arusha
    30 2 * * * cd /srv/arusha && .venv/bin/python manage.py evidence_check

It recomputes the SHA-256 of every stored case file against the fingerprint kept when it
was stored, and every item's custody chain; it flags altered items (shown on the case),
notifies the organization's supervisors, prints a summary and exits with status 1 when
anything failed, so that cron mails the operator.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arusha.cases.services.evidence import evidence_check


class Command(BaseCommand):
    help = (
        "Check that no stored case file and no evidence custody log was altered: recompute each file's "
        "SHA-256 and each custody hash chain, flag failures and notify the supervisors."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = evidence_check()
        self.stdout.write(
            _(
                "%(items)d items of evidence and %(files)d stored files checked, %(chains)d custody chains "
                "recomputed."
            )
            % {"items": summary.items, "files": summary.files, "chains": summary.chains}
        )
        if summary.intact:
            self.stdout.write(self.style.SUCCESS(_("Everything is intact.")))
            return
        for failure in summary.failures:
            problems = "; ".join(failure.problems)
            self.stdout.write(
                f"{failure.organization.slug} {failure.case.reference} {failure.what}: {problems}"
            )
        raise CommandError(
            _("%(count)d failed the check; the supervisors are notified.") % {"count": len(summary.failures)},
            returncode=1,
        )
