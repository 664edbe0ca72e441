"""The framework browser, the search, the upload page."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from arusha.frameworks.models import FrameworkVersion
from arusha.frameworks.tests.test_loader import GOOD


def _area_url(version: FrameworkVersion, code: str) -> str:
    return reverse("framework-area", args=[version.framework.code, version.version, code])


def test_every_area_of_the_pack_can_be_browsed_in_spanish(client, cast, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    client.post(reverse("set-language"), {"language": "es", "next": "/"})
    assert builtin_pack.areas.count() == 14
    for area in builtin_pack.areas.all():
        page = client.get(_area_url(builtin_pack, area.code)).content.decode()
        assert 'lang="es"' in page
        assert escape(area.title["es"]) in page
        assert all(q.code in page and escape(q.text["es"]) in page for q in area.questions.all())


def test_an_area_page_uses_a_bounded_number_of_queries(client, cast, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    # The session's first page also finds, once, whether the person needs a second factor.
    client.get(_area_url(builtin_pack, "CA2"))
    with CaptureQueriesContext(connection) as small:
        client.get(_area_url(builtin_pack, "CA2"))
    with CaptureQueriesContext(connection) as large:
        client.get(_area_url(builtin_pack, "KF8"))
    # Areas with topics take one more query (their topics' questions) than areas without.
    assert len(small) <= len(large) <= 10


def test_the_area_page_speaks_the_readers_language(client, cast, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    client.cookies["arusha_language"] = "es"
    page = client.get(_area_url(builtin_pack, "KF1")).content.decode()
    assert builtin_pack.areas.get(code="KF1").title["es"] in page


def test_search_finds_questions_in_any_language_without_accents(client, cast, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    url = reverse("framework-version", args=[builtin_pack.framework.code, builtin_pack.version])
    english = client.get(url, {"q": "retaliation"}).content.decode()
    french = client.get(url, {"q": "represailles"}).content.decode()
    assert "KF6.IV.17" in english
    assert "KF6.IV.17" in french
    nothing = client.get(url, {"q": "zzzqqq"}).content.decode()
    assert "No question matches" in nothing


def test_the_search_answers_htmx_with_the_results_only(client, cast, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    url = reverse("framework-version", args=[builtin_pack.framework.code, builtin_pack.version])
    partial = client.get(url, {"q": "anonymous"}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="search-results"' in partial and "<html" not in partial


def test_the_questions_export_as_csv(client, cast, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    url = reverse("framework-version", args=[builtin_pack.framework.code, builtin_pack.version])
    body = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 283


def test_only_platform_staff_may_upload_a_pack(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    assert client.get(reverse("framework-upload")).status_code == 404
    client.force_login(cast.staff)
    assert client.get(reverse("framework-upload")).status_code == 200


def test_uploading_a_pack_loads_it(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.staff)
    response = client.post(reverse("framework-upload"), {"file": SimpleUploadedFile("n.yaml", GOOD.encode())})
    assert response.status_code == 302
    assert FrameworkVersion.objects.get(framework__code="national-checklist").loaded_by == cast.staff


def test_uploading_a_broken_pack_lists_every_error_and_loads_nothing(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.staff)
    broken = GOOD.replace("number: 1\n            text", "number: 0\n            text").replace(
        "kind: gender_diversity", "kind: other"
    )
    response = client.post(
        reverse("framework-upload"), {"file": SimpleUploadedFile("n.yaml", broken.encode())}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "n.yaml, line 16: areas.0.topics.0.questions.0.number" in page
    assert "n.yaml, line 19: areas.1.kind" in page
    assert FrameworkVersion.objects.count() == 0
