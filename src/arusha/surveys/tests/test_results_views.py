"""The results dashboard, the trend across waves and the PDF report, as results readers see them."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import TestCase
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.surveys import person

from arusha.core.models import BackgroundJob, JobStatus
from arusha.core.permissions import PresetRole
from arusha.documents.report import Paragraph, to_pdf
from arusha.surveys import analysis
from arusha.surveys.models import Population, RespondentGroup
from arusha.surveys.results import EVERYONE
from arusha.surveys.services import results_report
from arusha.surveys.tests.results_support import (
    K,
    answered,
    hidden_numbers,
    second_wave,
    signed_in,
    standalone,
)

pytestmark = pytest.mark.django_db


def _url(name: str, a, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"organization": a.f.organization.slug, **kwargs})


def _heat(page: str) -> str:
    match = re.search(r'<table class="heat survey-heat">.*?</table>', page, re.S)
    assert match is not None
    return match.group(0)


def test_the_dashboard_shows_each_factor_per_group_and_hides_the_small_group(cast) -> None:
    a = answered(cast)
    hidden = hidden_numbers(a.wave)
    response = signed_in(a.f.analyst).get(_url("wave-results", a, wave=a.wave.pk))
    assert response.status_code == 200
    page = response.content.decode()
    heat = _heat(page)
    table = analysis.results(a.wave)
    kf1 = table.cell("KF1", EVERYONE)
    assert kf1 is not None and kf1.index is not None
    # The index in its band's colour, the figure in the cell.
    band = min(int(kf1.index // 20), 4)
    assert f'<td class="heat-{band}">{kf1.index:.1f}</td>' in heat
    # Carriers (37 < k = 40) and the group hidden with them read "fewer than 40", never a count.
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\">(?:<span[^>]*>[^<]*</span>\u203a )?([^<]+)</th>(.*?)</tr>", heat, re.S
    )
    by_group = {label.strip(): cells for label, cells in rows}
    assert set(re.findall(r">([^<]+)</td>", by_group["Carrier"])) == {f"fewer than {K}"}
    assert set(re.findall(r">([^<]+)</td>", by_group["Importer"])) == {f"fewer than {K}"}
    assert 'class="heat-none"' in by_group["Carrier"]
    for number in hidden:
        assert standalone(number, page) == [], number
    # The analyst may also take the microdata: the results tabs link to it.
    assert _url("microdata-export", a, wave=a.wave.pk) in page
    # n, interval, don't-know share and favourable share of a shown cell, in the details.
    assert f'<td class="number">{kf1.n}</td>' in page
    assert f"{kf1.ci_low:.1f} \u2013 {kf1.ci_high:.1f}" in page
    assert f"{kf1.dont_know:.1f} %" in page and f"{kf1.favourable:.1f} %" in page


def test_results_break_down_by_a_demographic_and_refuse_a_wrong_choice(cast) -> None:
    a = answered(cast)
    client = signed_in(a.f.analyst)
    url = _url("wave-results", a, wave=a.wave.pk)
    page = client.get(url, {"by": "age"}).content.decode()
    heat = _heat(page)
    assert '<th scope="col">Age</th>' in heat and "<td>18-29</td>" in heat and "<td>45+</td>" in heat
    wrong = client.get(url, {"by": "age", "then": "age"})
    assert wrong.status_code == 200
    assert "and then by: Choose two different items, or only one." in wrong.content.decode()
    assert wrong.context["table"].by == []
    unknown = client.get(url, {"by": "kf1_fair"})
    assert "Break down by: Select a valid choice." in unknown.content.decode()
    weighted = client.get(url, {"weighted": "on"}).content.decode()
    assert "Weight to the groups&#x27; population counts: Enter the population counts" in weighted


def test_weighted_results_follow_the_population_counts(cast) -> None:
    a = answered(cast)
    with scopes_disabled():
        for code, count in (("staff", 2000), ("broker", 300), ("importer", 900), ("carrier", 150)):
            group = RespondentGroup.objects.get(survey=a.survey, code=code)
            Population.objects.create(wave=a.wave, group=group, count=count)
    response = signed_in(a.f.analyst).get(_url("wave-results", a, wave=a.wave.pk), {"weighted": "on"})
    assert response.context["weighted"] is True
    weighted = analysis.results(a.wave, weighted=True).cell("KF1", EVERYONE)
    assert weighted is not None and weighted.index is not None
    assert f"{weighted.index:.1f}</td>" in _heat(response.content.decode())
    assert "The results are weighted to the population counts of the groups." in response.content.decode()


def test_a_wave_without_responses_says_so(cast) -> None:
    a = answered(cast, n=0)
    page = signed_in(a.f.analyst).get(_url("wave-results", a, wave=a.wave.pk)).content.decode()
    assert "No responses yet." in page
    assert "survey-heat" not in page
    trend = signed_in(a.f.analyst).get(_url("survey-trend", a, survey=a.survey.pk)).content.decode()
    assert "No wave of this survey has responses yet." in trend and "<svg" not in trend
    report = results_report.build_report(a.wave, weighted=False)
    assert report.sections[0].blocks[0] == Paragraph("No responses yet.")
    assert to_pdf(report).startswith(b"%PDF")


def test_a_wave_below_k_hides_everything_and_says_why(cast) -> None:
    a = answered(cast, n=25, tiny=3)
    page = signed_in(a.f.analyst).get(_url("wave-results", a, wave=a.wave.pk)).content.decode()
    assert f"Every result is hidden so far: there are fewer than {K} respondents" in page
    assert "survey-heat" not in page
    assert standalone(25, page) == []
    report = results_report.build_report(a.wave, weighted=False)
    assert report.sections[0].blocks[0] == Paragraph(
        f"Fewer than {K} respondents so far: no result can be shown yet."
    )


def test_the_change_since_the_previous_wave_is_shown_with_q_and_a_marker(cast) -> None:
    a = answered(cast)
    later = second_wave(a, shift={"KF1": 25.0})
    response = signed_in(a.f.analyst).get(_url("wave-results", a, wave=later.pk))
    page = response.content.decode()
    assert "Round 2026 (round 1)" in page and "Round 2028 (round 2)" in page
    differences = analysis.compare(a.wave, later)
    kf1 = next(d for d in differences if (d.factor, d.group) == ("KF1", EVERYONE))
    assert kf1.significant and kf1.difference is not None and kf1.difference > 10
    row = re.search(r"<th scope=\"row\">KF1 [^<]+</th><td>Everyone</td>(.*?)</tr>", page, re.S)
    assert row is not None
    assert f"+{kf1.difference:.1f}" in row.group(1) and "significant" in row.group(1)
    carrier = re.search(r"<th scope=\"row\">KF1 [^<]+</th><td>Carrier</td>(.*?)</tr>", page, re.S)
    assert (
        carrier is not None and "fewer than 40" in carrier.group(1) and "significant" not in carrier.group(1)
    )
    first = signed_in(a.f.analyst).get(_url("wave-results", a, wave=a.wave.pk)).content.decode()
    assert "first wave: there is nothing to compare with yet." in first


def test_the_trend_draws_each_factor_across_waves_with_a_table_beside(cast) -> None:
    a = answered(cast)
    later = second_wave(a, shift={"KF2": -20.0})
    response = signed_in(a.f.analyst).get(_url("survey-trend", a, survey=a.survey.pk))
    assert response.status_code == 200
    page = response.content.decode()
    svg = re.search(r"<svg .*?</svg>", page, re.S)
    assert svg is not None and "<title>Index per factor across waves" in svg.group(0)
    assert "style=" not in svg.group(0) and "<script" not in svg.group(0)
    for wave in (a.wave, later):
        cell = analysis.results(wave).cell("KF2", EVERYONE)
        assert cell is not None and cell.index is not None
        assert (
            f'{cell.index:.1f} <span class="muted">({cell.ci_low:.1f} \u2013 {cell.ci_high:.1f})</span>'
            in page
        )
    carriers = signed_in(a.f.analyst).get(_url("survey-trend", a, survey=a.survey.pk), {"group": "carrier"})
    assert carriers.context["group_label"] == "Carrier"
    assert "fewer than 40" in carriers.content.decode()
    bad = signed_in(a.f.analyst).get(_url("survey-trend", a, survey=a.survey.pk), {"group": "nobody"})
    assert bad.status_code == 200 and bad.context["group_label"] == "Everyone"


def test_people_without_the_results_permission_do_not_see_results(cast) -> None:
    a = answered(cast, n=0)
    custodian = signed_in(a.f.custodian)  # sees the survey (custody), may not read results
    assert custodian.get(_url("wave-results", a, wave=a.wave.pk)).status_code == 403
    for user in (cast.outsider, cast.foreigner, cast.member):
        client = signed_in(user)
        for name, kwargs in (
            ("wave-results", {"wave": a.wave.pk}),
            ("results-export", {"wave": a.wave.pk}),
            ("aggregate-pack", {"wave": a.wave.pk}),
            ("results-report", {"wave": a.wave.pk}),
            ("microdata-export", {"wave": a.wave.pk}),
            ("survey-trend", {"survey": a.survey.pk}),
        ):
            assert client.get(_url(name, a, **kwargs)).status_code == 404, (user, name)
    steering = person(cast, "steering@test.example", "Stan Steering", [PresetRole.STEERING_COMMITTEE])
    assert signed_in(steering).get(_url("wave-results", a, wave=a.wave.pk)).status_code == 200


def test_the_pdf_report_is_written_by_the_worker_in_the_readers_language(cast) -> None:
    a = answered(cast)
    later = second_wave(a, shift={"KF1": 10.0})
    hidden = hidden_numbers(a.wave) | hidden_numbers(later)
    client = signed_in(a.f.analyst)
    url = _url("results-report", a, wave=later.pk)
    assert "No report has been written recently." in client.get(url).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = client.post(url)
    assert asked.status_code == 302
    with scopes_disabled():
        job = BackgroundJob.objects.get(kind="surveys.results.pdf")
    assert job.status == JobStatus.DONE, job.error
    page = client.get(url).content.decode()
    assert "The report is ready." in page
    download = client.get(_url("results-report-file", a, wave=later.pk, pk=job.pk))
    pdf = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert pdf.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    words = " ".join(text.decode().split())
    for name in ("Leadership and commitment", "Regulatory framework", "Transparency", "Overall index"):
        assert name in words, name
    assert "fewer than 40" in words and "Compared with the previous wave" in words
    assert "Across waves" in words and "How the figures are computed" in words
    for number in hidden:
        assert standalone(number, words) == [], number
    # Someone else who may read the results may download it; an outsider may not.
    again = signed_in(a.f.manager).get(_url("results-report-file", a, wave=later.pk, pk=job.pk))
    assert again.status_code == 200 and b"".join(again.streaming_content) == pdf  # type: ignore[attr-defined]
    assert (
        signed_in(cast.outsider).get(_url("results-report-file", a, wave=later.pk, pk=job.pk)).status_code
        == 404
    )


def test_the_report_is_written_in_french_for_a_french_reader(cast, builtin_pack) -> None:
    a = answered(cast, n=120, tiny=2, k=10)
    client = signed_in(a.f.analyst)
    client.post(reverse("set-language"), {"language": "fr", "next": "/"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(_url("results-report", a, wave=a.wave.pk))
    with scopes_disabled():
        job = BackgroundJob.objects.get(kind="surveys.results.pdf")
    assert job.language == "fr" and job.status == JobStatus.DONE, job.error
    with job.result.open("rb") as stored:
        content = stored.read()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    # The factors go by the framework pack's titles, in the pack's French.
    words = " ".join(text.split())
    assert "KF1 Leadership et engagement" in words and "KF2 Cadre réglementaire" in words
    assert "Leadership and commitment" not in words
