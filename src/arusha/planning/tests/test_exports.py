"""The Annex 9 exports are written by the worker; the plan's page follows them to the download."""

from __future__ import annotations

import io
import re

import pytest
from django.http import Http404
from django.test import Client, TestCase
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from arusha.core import services as core_services
from arusha.core.models import BackgroundJob, JobStatus
from arusha.core.permissions import PresetRole
from arusha.planning import services


def export_through_worker(client: Client, slug: str, plan: int, fmt: str) -> bytes:
    """Click the export button, let the worker run, follow the page's link, return the file.

    Tests elsewhere use it to read an export's content the way a person gets it.
    """
    url = reverse("plan-export", args=[slug, plan, fmt])
    # The callbacks run when the block ends, as a worker would run the task after the commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url).status_code == 302
    page = client.get(url)
    link = re.search(rf'href="(/o/{slug}/plans/{plan}/export/{fmt}/\d+/)"', page.content.decode())
    assert link is not None, "the page shows no download link"
    response = client.get(link.group(1))
    assert response.status_code == 200
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def _jobs(cast):  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return list(BackgroundJob.objects.order_by("pk"))


def _plan_reader_less_member(cast):  # type: ignore[no-untyped-def]
    """A member of the administration whose only role does not read action plans."""
    person = core_services.user_create(
        email="writer@test.example", full_name="Wren Writer", password="x" * 12
    )
    core_services.membership_create(
        actor=cast.owner, organization=cast.customs, user=person, roles=[PresetRole.CONTRIBUTOR]
    )
    return person


def test_an_export_is_written_by_the_worker_and_served_to_readers_only(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)  # a performer: reads the plan, does not build it
    content = export_through_worker(client, cast.customs.slug, world.plan.pk, "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None and sheet["A1"].value == "Integrity action plan 2027-2029"
    (job,) = _jobs(cast)
    assert job.status == JobStatus.DONE and job.requested_by == cast.member
    assert job.result_name == f"action-plan-{world.plan.pk}-r{world.plan.revision}.xlsx"
    url = reverse("plan-export-file", args=[cast.customs.slug, world.plan.pk, "xlsx", job.pk])
    client.force_login(cast.owner)  # another reader of the plan downloads the same file
    assert b"".join(client.get(url).streaming_content) == content  # type: ignore[attr-defined]
    client.force_login(_plan_reader_less_member(cast))
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("plan-export", args=[cast.customs.slug, world.plan.pk, "xlsx"])).status_code
        == 404
    )
    assert len(_jobs(cast)) == 1
    # The file of one format is not served under the other's address.
    client.force_login(cast.owner)
    wrong = reverse("plan-export-file", args=[cast.customs.slug, world.plan.pk, "docx", job.pk])
    assert client.get(wrong).status_code == 404


def test_the_service_refuses_a_member_who_may_not_read_the_plan(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Http404):
        services.plan_export_request(
            actor=_plan_reader_less_member(cast), plan=world.plan, fmt="docx", language="en"
        )
    assert _jobs(cast) == []


def test_a_double_click_joins_the_waiting_export_and_the_page_follows_it(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    export = reverse("plan-export", args=[cast.customs.slug, world.plan.pk, "docx"])
    progress = reverse("plan-export-progress", args=[cast.customs.slug, world.plan.pk, "docx"])
    with TestCase.captureOnCommitCallbacks() as first:
        page = client.post(export, follow=True).content.decode()
    assert "The file is being written." in page and "Waiting for the background worker to start." in page
    assert f'hx-get="{progress}" hx-trigger="every 2s"' in page
    with TestCase.captureOnCommitCallbacks() as second:
        client.post(export)
    assert second == [] and len(_jobs(cast)) == 1
    # Another format is another file: it does not join the DOCX.
    with TestCase.captureOnCommitCallbacks() as other:
        client.post(reverse("plan-export", args=[cast.customs.slug, world.plan.pk, "xlsx"]))
    assert len(other) == 1 and len(_jobs(cast)) == 2
    assert "Waiting for the background worker to start." in client.get(export).content.decode()  # a reload
    for callback in first:  # the worker runs the task
        callback()
    polled = client.get(progress, headers={"HX-Request": "true"})
    assert polled.status_code == 286  # htmx stops asking
    docx_job = _jobs(cast)[0]
    assert "The file is ready." in polled.content.decode()
    assert (
        reverse("plan-export-file", args=[cast.customs.slug, world.plan.pk, "docx", docx_job.pk])
        in polled.content.decode()
    )


def test_an_unknown_format_is_not_found(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    assert (
        client.post(reverse("plan-export", args=[cast.customs.slug, world.plan.pk, "pdf"])).status_code == 404
    )
    assert (
        client.get(reverse("plan-export", args=[cast.customs.slug, world.plan.pk, "csv"])).status_code == 404
    )
    assert _jobs(cast) == []
