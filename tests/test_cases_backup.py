"""Backups carry cases as sealed bytes: after a restore they open with the same keys."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from arusha.core.tests.test_backup import empty_the_deployment

pytestmark = pytest.mark.django_db(transaction=True)


def test_sealed_cases_survive_a_round_trip_and_still_open_with_their_keys(cast, tmp_path, settings):
    """Cases are bytes sealed to keys the archive does not hold: they come back byte for byte."""
    from arusha.cases import crypto
    from arusha.cases.models import Case
    from arusha.cases.services.dialogue import receipt_open
    from arusha.cases.services.intake import Report, Upload, report_submit
    from tests.cases import desk

    d = desk(cast)
    with scopes_disabled():
        submitted = report_submit(
            Report(channel=d.channel, answers={"where": "Port"}, narrative="Sealed narrative",
                   files=[Upload("proof.txt", "text/plain", b"sealed file")])
        )  # fmt: skip
    archive = tmp_path / "cases.zip"
    call_command("backup", output=archive, stdout=io.StringIO())
    with zipfile.ZipFile(archive) as opened:
        assert not any(b"Sealed narrative" in opened.read(name) for name in opened.namelist())
    empty_the_deployment(settings)
    call_command("restore", archive, stdout=io.StringIO())
    with scopes_disabled():
        case = Case.objects.get(pk=submitted.case.pk)
        organization = case.organization
        stored = case.files.get()
    again = receipt_open(organization, submitted.receipt)
    assert again is not None
    assert crypto.unseal_json(again.key, bytes(case.content))["narrative"] == "Sealed narrative"
    with stored.blob.open("rb") as handle:
        assert crypto.unseal(again.key, handle.read()) == b"sealed file"
