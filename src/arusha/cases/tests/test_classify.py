"""Classifying a case at triage: category and office, versioned, counted by the statistics."""

from __future__ import annotations

from django_scopes import scopes_disabled
from tests.cases import case_url, desk, signed_in, unlocked

from arusha.cases.models import Case, Category
from arusha.cases.services.intake import Report, report_submit
from arusha.core.models import AuditEvent


def test_a_handler_classifies_a_case_and_a_stale_form_is_refused(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    with scopes_disabled():
        case = report_submit(Report(channel=d.channel, answers={"where": "Port"}, narrative="Cash")).case
        bribery = Category.objects.create(
            organization=d.organization, code="bribery", name="Bribery", factor="KF7"
        )
    officer = unlocked(d, d.officer)
    page = officer.get(case_url("case-detail", case)).content.decode()
    assert "Save the classification" in page and "Bribery" in page
    url = case_url("case-classify", case)
    answer = officer.post(
        url, {"category": bribery.pk, "office": cast.division.pk, "version": case.version}, follow=True
    )
    assert "The case is classified." in answer.content.decode()
    with scopes_disabled():
        saved = Case.objects.get(pk=case.pk)
        assert (saved.category, saved.office) == (bribery, cast.division)
        assert AuditEvent.objects.filter(object_id=str(case.pk), action="arusha.case.updated").exists()
    stale = officer.post(url, {"category": "", "office": "", "version": case.version}, follow=True)
    assert "Someone changed this case meanwhile" in stale.content.decode()
    with scopes_disabled():
        assert Case.objects.get(pk=case.pk).category == bribery


def test_bad_choices_are_refused_in_words_and_others_may_not_classify(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    with scopes_disabled():
        case = report_submit(Report(channel=d.channel, answers={"where": "Port"}, narrative="Cash")).case
    officer = unlocked(d, d.officer)
    url = case_url("case-classify", case)
    for data in ({"category": "x"}, {"category": "9" * 30}, {"office": "-1"}, {"office": "99999"}):
        answer = officer.post(url, {**data, "version": case.version}, follow=True)
        assert answer.status_code == 200 and "The classification was not saved" in answer.content.decode(), (
            data
        )
    assert signed_in(d.handler).post(url, {"version": case.version}).status_code == 404  # not assigned
    assert signed_in(cast.owner).post(url, {"version": case.version}).status_code == 404
    assert officer.get(url).status_code == 405
