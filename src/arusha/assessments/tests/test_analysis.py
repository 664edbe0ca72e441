"""The situational analysis (IDG step 5): answers, evaluation, versions, status, drafts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from arusha.assessments import maturity, services
from arusha.assessments.models import Response, ResponseDraft, ResponseVersion
from arusha.core.errors import DomainError
from arusha.frameworks.models import Question

GOOD = "A code of conduct was adopted in 2023 and every officer signs it on appointment."
ALL_YES = dict.fromkeys(maturity.FIELDS, "yes")


def _question(world, code):  # type: ignore[no-untyped-def]
    return Question.objects.get(version=world.assessment.framework_version, code=code)


def _save(world, actor, code="KF2.1", narrative=GOOD, ratings=None, **extra):  # type: ignore[no-untyped-def]
    return services.response_save(
        actor=actor,
        assessment=world.assessment,
        question=_question(world, code),
        narrative=narrative,
        ratings=ALL_YES if ratings is None else ratings,
        **extra,
    )


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (("no", "", "", ""), 0),
        (("partly", "", "", ""), 0),
        (("yes", "partly", "", ""), 1),
        (("yes", "yes", "no", ""), 2),
        (("yes", "yes", "yes", "partly"), 3),
        (("yes", "yes", "yes", "yes"), 4),
        (("yes", "unknown", "yes", "yes"), None),
        (("yes", "yes", "", ""), None),
    ],
)
def test_the_maturity_level_follows_the_figure_5_chain(answers, expected) -> None:  # type: ignore[no-untyped-def]
    assert maturity.level(dict(zip(maturity.FIELDS, answers, strict=True))) == expected


@pytest.mark.parametrize("narrative", ["Yes", "  no. ", "Oui !", "Sí", "partly", "It exists, mostly."])
def test_a_bare_yes_or_no_is_refused_and_nothing_is_written(cast, world, narrative) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        _save(world, cast.owner, narrative=narrative)
    assert refused.value.field == "narrative"
    with scope(organization=cast.customs):
        assert not Response.objects.filter(question__code="KF2.1").exists()


def test_a_measure_that_does_not_exist_cannot_be_effective(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        _save(world, cast.owner, ratings={"exists": "no", "effective": "yes"})
    assert refused.value.field == "effective"


def test_every_save_keeps_a_version_with_its_level(cast, world) -> None:  # type: ignore[no-untyped-def]
    first = _save(world, cast.owner, ratings={"exists": "yes", "designed": "yes", "implemented": "no"})
    second = _save(world, cast.owner, narrative=GOOD + " Breaches are sanctioned.", base_version=1)
    assert (first.version, second.version, second.level) == (1, 2, 4)
    with scope(organization=cast.customs):
        versions = list(ResponseVersion.objects.filter(response=second).order_by("number"))
    assert [(v.number, v.level, v.saved_by) for v in versions] == [(1, 2, cast.owner), (2, 4, cast.owner)]
    assert versions[0].narrative == GOOD


def test_saving_the_same_answer_again_makes_no_new_version(cast, world) -> None:  # type: ignore[no-untyped-def]
    _save(world, cast.owner)
    again = _save(world, cast.owner)
    assert again.version == 1


def test_contributor_cannot_edit_other_group(cast, world) -> None:  # type: ignore[no-untyped-def]
    # The guest's group has KF1 and KF2; KF3 belongs to nobody's group.
    assert _save(world, world.guest).version == 1
    with pytest.raises(DomainError):
        _save(world, world.guest, code="KF3.1")
    with pytest.raises(DomainError):
        _save(world, cast.member)


def test_only_facilitators_and_the_rapporteur_agree(cast, world) -> None:  # type: ignore[no-untyped-def]
    response = _save(world, world.guest)
    proposed = services.response_set_status(actor=world.guest, response=response, status="proposed")
    assert proposed.status == "proposed"
    with pytest.raises(DomainError, match="rapporteur"):
        services.response_set_status(actor=world.guest, response=response, status="agreed")
    services.working_group_update(
        actor=cast.owner,
        group=world.group,
        name=world.group.name,
        area_codes=world.group.area_codes,
        rapporteur=world.guest_participant,
    )
    agreed = services.response_set_status(actor=world.guest, response=response, status="agreed")
    assert (agreed.status, agreed.version) == ("agreed", 3)


def test_an_answer_is_proposed_only_once_evaluated(cast, world) -> None:  # type: ignore[no-untyped-def]
    response = _save(world, cast.owner, ratings={"exists": "yes"})
    with pytest.raises(DomainError, match="Designed"):
        services.response_set_status(actor=cast.owner, response=response, status="proposed")


def test_changing_an_agreed_answer_takes_it_back_to_draft(cast, world) -> None:  # type: ignore[no-untyped-def]
    response = _save(world, cast.owner)
    services.response_set_status(actor=cast.owner, response=response, status="agreed")
    with pytest.raises(DomainError, match="agreed in plenary"):
        _save(world, world.guest, narrative=GOOD + " Changed by a contributor.")
    changed = _save(world, cast.owner, narrative=GOOD + " Corrected by the facilitator.")
    assert (changed.status, changed.version) == ("draft", 3)


def test_a_stale_save_is_refused_and_the_draft_kept(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    _save(world, cast.owner)
    _save(world, cast.owner, narrative=GOOD + " Revised in plenary.", base_version=1)
    client.force_login(world.guest)
    url = reverse("assessment-response", args=[cast.customs.slug, world.assessment.pk, "KF2.1"])
    page = client.post(url, {"narrative": GOOD + " My late addition.", "base_version": "1", **ALL_YES})
    assert page.status_code == 400
    assert "saved a newer version" in page.content.decode()
    with scope(organization=cast.customs):
        draft = ResponseDraft.objects.get(user=world.guest)
        assert draft.narrative.endswith("My late addition.")
        assert Response.objects.get(question__code="KF2.1").version == 2
    compare = client.get(
        reverse("assessment-response-compare", args=[cast.customs.slug, world.assessment.pk, "KF2.1"]),
        {"draft": "1"},
    )
    assert "<ins>My late addition.</ins>" in compare.content.decode()


def test_drafts_save_as_you_type_and_come_back(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    args = [cast.customs.slug, world.assessment.pk, "KF2.1"]
    saved = client.post(
        reverse("assessment-response-autosave", args=args),
        {"narrative": "Half a thought about the rules", "base_version": "0", "exists": "partly"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert "Draft saved at" in saved.content.decode()
    page = client.get(reverse("assessment-response", args=args)).content.decode()
    assert "Half a thought about the rules" in page
    assert "is restored below" in page
    with scope(organization=cast.customs):
        assert not Response.objects.filter(question__code="KF2.1").exists()  # a draft is not an answer


def test_a_view_only_member_reads_but_cannot_save(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    _save(world, cast.owner)
    client.force_login(cast.member)
    url = reverse("assessment-response", args=[cast.customs.slug, world.assessment.pk, "KF2.1"])
    page = client.get(url)
    assert GOOD in page.content.decode()
    assert 'id="response-form"' not in page.content.decode()
    assert client.post(url, {"narrative": GOOD, "base_version": "1"}).status_code == 403


def test_evidence_files_documents_and_comments(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    args = [cast.customs.slug, world.assessment.pk, "KF2.1"]
    response = client.post(
        reverse("assessment-response", args=args),
        {
            "narrative": GOOD,
            "base_version": "0",
            "evidence": [str(world.document.pk)],
            "file": SimpleUploadedFile("minutes.txt", b"minutes of the ethics committee"),
            **ALL_YES,
        },
    )
    assert response.status_code == 302
    client.post(reverse("assessment-response-comment", args=args), {"body": "Which year was it signed?"})
    page = client.get(reverse("assessment-response", args=args)).content.decode()
    assert "Code of conduct 2024" in page
    assert "minutes.txt" in page
    assert "Which year was it signed?" in page
    with scope(organization=cast.customs):
        from arusha.core.models import Attachment

        attachment = Attachment.objects.get(name="minutes.txt")
    download = client.get(reverse("assessment-response-file", args=[*args, attachment.pk]))
    assert b"".join(download.streaming_content) == b"minutes of the ethics committee"  # type: ignore[attr-defined]


def test_progress_per_area_and_group_and_the_csv(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    response = _save(world, cast.owner)  # KF1.1 is answered already
    services.response_set_status(actor=cast.owner, response=response, status="agreed")
    client.force_login(cast.owner)
    url = reverse("assessment-analysis", args=[cast.customs.slug, world.assessment.pk])
    page = client.get(url).content.decode()
    assert "2 of 3 questions answered." in page
    assert '<progress max="2" value="2"' in page  # Group A has KF1 and KF2
    csv = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode()  # type: ignore[attr-defined]
    assert GOOD in csv
    assert "Agreed in plenary" in csv
    unanswered = client.get(url, {"status": "unanswered"}).content.decode()
    assert "KF3.1</code>" in unanswered
    assert "KF2.1</code>" not in unanswered


def test_the_analysis_page_uses_a_bounded_number_of_queries(
    client, cast, world, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("assessment-analysis", args=[cast.customs.slug, world.assessment.pk])
    client.get(url)  # warm the session and content-type caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _save(world, cast.owner)
    _save(world, cast.owner, code="KF3.1")
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    assert len(one) == len(three)
    assert len(three) <= 14


def test_evidence_naming_an_id_too_large_for_the_database_is_an_invalid_choice(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    url = reverse("assessment-response", args=[cast.customs.slug, world.assessment.pk, "KF2.1"])
    response = client.post(url, {"narrative": GOOD, "base_version": "0", "evidence": ["9" * 30], **ALL_YES})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
