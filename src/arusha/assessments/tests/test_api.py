"""The read API (token authentication, OpenAPI) and the portable JSON export and import."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from arusha.accounts.models import ApiToken
from arusha.accounts.services import api_token_create
from arusha.assessments import services
from arusha.assessments.models import Assessment, Finding, Response
from arusha.core import services as core_services
from arusha.core.models import Organization, OrganizationKind


def _get(client, user, url, organization=None):  # type: ignore[no-untyped-def]
    """A GET with a read-only token of the person in `organization` (their first membership by default)."""
    if organization is None:
        organization = Organization.objects.filter(memberships__user=user).first()
    _token, key = api_token_create(actor=user, organization=organization, scope="read", expires_in_days=30)
    return client.get(url, HTTP_AUTHORIZATION=f"Token {key}")


def test_the_api_lists_only_the_assessments_a_person_may_see(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("api-assessments")
    titles = lambda response: sorted(a["title"] for a in response.json()["results"])  # noqa: E731
    assert titles(_get(client, cast.owner, url)) == ["Earlier review", "Self-assessment 2027"]
    # A token acts only inside its organization: the guest's token is their own union's.
    assert titles(_get(client, world.guest, url)) == []
    client.force_login(world.guest)
    assert titles(client.get(url)) == ["Self-assessment 2027"]
    client.force_login(cast.outsider)
    assert titles(client.get(url)) == []
    client.logout()
    assert client.get(url).status_code in (401, 403)
    assert client.get(url, HTTP_AUTHORIZATION="Token not-a-token").status_code == 401


def test_responses_and_findings_of_an_assessment(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    responses = client.get(reverse("api-assessment-responses", args=[world.assessment.pk])).json()
    assert responses["count"] == 1
    answer = responses["results"][0]
    assert (answer["question"], answer["level"], answer["implemented"]) == ("KF1.1", 2, "partly")
    findings = client.get(reverse("api-assessment-findings", args=[world.assessment.pk])).json()
    assert findings["results"][0]["questions"] == ["KF1.1"]
    assert client.get(reverse("api-assessment", args=[world.sibling.pk])).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(reverse("api-assessment-findings", args=[world.assessment.pk])).status_code == 404
    owner_findings = _get(client, cast.owner, reverse("api-assessment-findings", args=[world.assessment.pk]))
    assert owner_findings.json()["results"][0]["questions"] == ["KF1.1"]


def test_the_openapi_schema_documents_the_endpoints(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/assessments/{id}/responses/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_an_api_token_is_shown_once_and_can_be_revoked(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    form = {"organization": cast.customs.pk, "scope": "read", "expires_in_days": 30}
    page = client.post(reverse("api-token"), form).content.decode()
    assert "shown only this once" in page
    token = ApiToken.objects.get(user=cast.member)
    assert token.token_key in page
    client.post(reverse("api-token-revoke", args=[token.token_key]))
    assert "You have no API token." in client.get(reverse("api-token")).content.decode()


def test_an_assessment_moves_to_another_instance_through_its_json(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    assert client.get(reverse("api-assessment-export", args=[world.assessment.pk])).status_code == 404
    document = _get(client, cast.owner, reverse("api-assessment-export", args=[world.assessment.pk])).json()
    assert document["format"] == "arusha-assessment" and document["answers"][0]["question"] == "KF1.1"
    target = core_services.organization_create(
        actor=None, slug="new-customs", name="New Customs", kind=OrganizationKind.CUSTOMS
    )
    core_services.membership_create(actor=None, organization=target, user=cast.owner, roles=["administrator"])
    client.force_login(cast.owner)
    response = client.post(
        reverse("assessment-import", args=["new-customs"]),
        {"file": SimpleUploadedFile("a.json", json.dumps(document).encode())},
    )
    assert response.status_code == 302
    with scope(organization=target):
        imported = Assessment.objects.get(organization=target)
        answer = Response.objects.get(assessment=imported)
        finding = Finding.objects.get(assessment=imported)
        assert imported.working_groups.get().area_codes == ["KF1", "KF2"]
        assert imported.sessions.get().title == "Opening plenary"
    assert (answer.level, answer.version, answer.updated_by) == (2, 1, cast.owner)
    assert [q.code for q in finding.questions.all()] == ["KF1.1"]


def test_a_bad_document_names_each_problem_and_writes_nothing(cast, world) -> None:  # type: ignore[no-untyped-def]
    from arusha.assessments.portability import export_document

    with scope(organization=cast.customs):
        document = export_document(world.assessment)
    document["answers"][0]["question"] = "KF9.9"
    document["findings"][0]["priority"] = "urgent"
    with pytest.raises(services.ImportRejectedError) as rejected:
        services.assessment_import(
            actor=cast.owner, organization=cast.customs, data=json.dumps(document).encode()
        )
    assert any(e.startswith("findings.0.priority:") for e in rejected.value.errors)
    document["findings"][0]["priority"] = "high"
    with pytest.raises(services.ImportRejectedError) as rejected:
        services.assessment_import(
            actor=cast.owner, organization=cast.customs, data=json.dumps(document).encode()
        )
    assert rejected.value.errors == ["answers.0.question: KF9.9 is not a question in scope."]
    document["framework"]["version"] = "99"
    with pytest.raises(services.ImportRejectedError, match="problems"):
        services.assessment_import(
            actor=cast.owner, organization=cast.customs, data=json.dumps(document).encode()
        )
    with scope(organization=cast.customs):
        assert Assessment.objects.count() == 2  # the world's two, nothing more
