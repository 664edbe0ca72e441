"""Tenant isolation over every URL of the URLconf.

Four kinds of foreign persona (DESIGN.md): an outsider sees nothing; an invited
guest sees exactly the assessment they were invited to and gets 404 on its siblings
and on everything else of the host; a former guest whose invitation was revoked sees
nothing again; a member of the host whose role holds no permission is refused
everywhere (403 where a member may know the page exists, 404 otherwise).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope

from arusha.assessments import services as assessment_services
from arusha.assessments.models import ReportVersion
from arusha.core import services
from arusha.core.models import Grant, Membership, Role
from arusha.core.policies import policy_of
from arusha.planning import services as plan_services


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def test_every_view_declares_an_access_policy() -> None:
    routes = list(_walk(get_resolver().url_patterns))
    assert len(routes) > 30
    assert [route for route, pattern in routes if policy_of(pattern.callback) is None] == []


def _monitoring(cast: Any, world: Any) -> dict[str, int]:
    """One of each monitoring record on the world's plan, made directly: the plan is not adopted."""
    from arusha.monitoring.models import (
        Alert,
        FollowUp,
        Measurement,
        Meeting,
        MonitoringSetup,
        MonitoringTask,
        ReportingPeriod,
    )
    from arusha.planning.models import Objective

    with scope(organization=cast.customs):
        objective, _ = Objective.objects.get_or_create(
            plan=world.plan,
            what="Statements are checked",
            defaults={"measure": "share checked", "target": "100 %", "deadline": datetime.date(2029, 12, 31)},
        )
        world.kpi.objectives.add(objective)
        MonitoringSetup.objects.get_or_create(
            plan=world.plan, defaults={"frequency": "yearly", "coordinator": cast.owner}
        )
        period, _ = ReportingPeriod.objects.get_or_create(
            plan=world.plan,
            start=datetime.date(2027, 4, 1),
            defaults={
                "label": "2027",
                "end": datetime.date(2027, 12, 31),
                "report_due": datetime.date(2028, 1, 15),
            },
        )
        measurement, _ = Measurement.objects.get_or_create(
            kpi=world.kpi, period=period, defaults={"value": 1, "variables": {"A": "1", "B": "100"}}
        )
        meeting, _ = Meeting.objects.get_or_create(
            plan=world.plan, date=datetime.date(2027, 6, 1), minutes="Met."
        )
        follow_up, _ = FollowUp.objects.get_or_create(
            meeting=meeting, action="Write to the ministry", owner=cast.owner, due=datetime.date(2027, 7, 1)
        )
        task, _ = MonitoringTask.objects.get_or_create(
            plan=world.plan, task="Collect reports", assignee=cast.owner, due=datetime.date(2028, 1, 15)
        )
        alert, _ = Alert.objects.get_or_create(
            plan=world.plan,
            key="overdue:task:1",
            defaults={
                "kind": "overdue",
                "recipient": cast.owner,
                "subject": "Overdue",
                "raised_on": datetime.date(2028, 1, 16),
            },
        )
    return {
        "monitoring-activity": world.activity.pk,
        "monitoring-period": period.pk,
        "monitoring-progress": period.pk,
        "monitoring-measurement": period.pk,
        "monitoring-verify": measurement.pk,
        "monitoring-meeting": meeting.pk,
        "monitoring-follow-up": follow_up.pk,
        "monitoring-task": task.pk,
        "monitoring-alert": alert.pk,
        "monitoring-evaluate-objective": objective.pk,
        "monitoring-evaluate-kpi": world.kpi.pk,
    }


def _plan_export(cast: Any, world: Any) -> int:
    """A written Annex 9 export of the world's plan (the worker runs as the block ends)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = plan_services.plan_export_request(actor=cast.owner, plan=world.plan, fmt="docx", language="en")
    return job.pk


def _monitoring_reports(cast: Any, world: Any) -> dict[str, int]:
    """A written evaluation report and review report of the world's plan (DOCX, as the walk asks)."""
    from arusha.monitoring import services as monitoring_services

    written = {}
    for report in ("evaluation", "review"):
        with TestCase.captureOnCommitCallbacks(execute=True):
            job = monitoring_services.report_request(
                actor=cast.owner, plan=world.plan, report=report, fmt="docx", language="en"
            )
        written[f"monitoring-{report}-report-file"] = job.pk
    return written


# In every sealed field of the walked case: no page may show it to anyone without its key.
CANARY = "Canary-7f3c-Lwanda"


def _cases(cast: Any) -> tuple[Any, dict[str, int]]:
    """One case with one of each of its records, and the cases context's settings rows (made once)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from arusha.cases import crypto
    from arusha.cases import models as m
    from arusha.cases.services.evidence import evidence_register
    from arusha.cases.services.intake import Report, Upload, report_submit
    from arusha.core.models import Relationship
    from tests.cases import desk

    with scopes_disabled():
        case = m.Case.objects.filter(organization=cast.customs).first()
        if case is None:
            d = desk(cast)
            case = report_submit(
                Report(channel=d.channel, answers={"where": f"Port {CANARY}"}, narrative=f"Walked {CANARY}",
                       identity={"name": f"Reporter {CANARY}"}, subjects=[{"name": f"Subject {CANARY}"}],
                       files=[Upload(f"{CANARY}.txt", "text/plain", CANARY.encode())])
            ).case  # fmt: skip
            officer = d.officer
            m.Assignment.objects.create(case=case, user=d.handler, role="handler", assigned_by=officer)
            m.ConflictOverride.objects.create(
                case=case, user=d.handler2, role="handler", justification="x", requested_by=officer
            )
            m.Disclosure.objects.create(
                case=case, requested_by=officer, motivation=crypto.seal(d.keyring(officer).key(case), b"Why")
            )
            members = Membership.objects.filter(organization=cast.customs, user__in=[d.handler, d.handler2])
            Relationship.objects.create(
                organization=cast.customs, member=members[0], other=members[1], kind="family"
            )
            m.Category.objects.create(organization=cast.customs, code="bribery", name="Bribery")
            keyring = d.keyring(officer)
            sealed = crypto.seal(keyring.key(case), b"Walked")
            m.Allegation.objects.create(case=case, sealed=sealed)
            evidence_register(
                keyring=keyring,
                case=case,
                description="A copy",
                upload=Upload("copy.txt", "text/plain", b"x"),
            )
            authority = m.Authority.objects.create(
                organization=cast.customs, name="Prosecutor", public_key="x"
            )
            referral = m.Referral(
                case=case, authority=authority, sent_by=officer, sent_on=timezone.localdate()
            )
            referral.package.save("package", ContentFile(b"sealed"), save=True)
        first = {
            name: model.objects.filter(**{field: value}).values_list("pk", flat=True).first()
            for name, model, field, value in (
                ("case-file", m.CaseFile, "case", case),
                ("case-subject-remove", m.Subject, "case", case),
                ("case-attest", m.Assignment, "case", case),
                ("case-assignment-end", m.Assignment, "case", case),
                ("case-override-", m.ConflictOverride, "case", case),
                ("disclosure-decide", m.Disclosure, "case", case),
                ("relationship-end", Relationship, "organization", cast.customs),
                ("channel-edit", m.Channel, "organization", cast.customs),
                ("category-edit", m.Category, "organization", cast.customs),
                ("case-investigation-allegation", m.Allegation, "case", case),
                ("case-investigation-finding", m.Allegation, "case", case),
                ("case-investigation-sanction", m.Allegation, "case", case),
                ("case-investigation-evidence", m.Evidence, "case", case),
                ("case-investigation-referral-file", m.Referral, "case", case),
                ("authority-edit", m.Authority, "organization", cast.customs),
            )
        }
    return case, {name: pk for name, pk in first.items() if pk is not None}


def _survey_wave(cast: Any) -> Any:
    """An open survey wave of the host (made once): its screens are walked like any other."""
    from django_scopes import scopes_disabled

    from arusha.surveys.models import Wave
    from tests.surveys import field

    with scopes_disabled():
        wave = Wave.objects.filter(survey__organization=cast.customs).first()
    return wave if wave is not None else field(cast).wave


def _survey_group(cast: Any) -> int:
    """A respondent group of the walked wave's survey."""
    from django_scopes import scopes_disabled

    from arusha.surveys.models import RespondentGroup

    survey = _survey_wave(cast).survey_id
    with scopes_disabled():
        return RespondentGroup.objects.filter(survey_id=survey).values_list("pk", flat=True)[0]


def _survey_station(cast: Any) -> int:
    """A survey station of the host (made once)."""
    from django_scopes import scopes_disabled

    from arusha.surveys.models import Station

    with scopes_disabled():
        station, _made = Station.objects.get_or_create(organization=cast.customs, name="Walked station")
    return station.pk


def _risk_library(cast: Any) -> dict[str, int]:
    """A matrix, a process and one of its scenarios in the host's risk library (installed once)."""
    from arusha.risks.models import Matrix, Scenario
    from arusha.risks.services.library import catalogue_install, matrix_install

    with scope(organization=cast.customs):
        matrix = Matrix.objects.filter(organization=cast.customs).first()
        scenario = Scenario.objects.filter(process__organization=cast.customs).first()
    if matrix is None:
        matrix = matrix_install(actor=None, organization=cast.customs)
    if scenario is None:
        catalogue_install(actor=None, organization=cast.customs)
        with scope(organization=cast.customs):
            scenario = Scenario.objects.filter(process__organization=cast.customs).first()
    assert scenario is not None
    return {"matrix": matrix.pk, "process": scenario.process_id, "scenario": scenario.pk}


def _risk_cycle(cast: Any) -> dict[str, int]:
    """A risk assessment cycle of the host with a working-group member and a source (made once)."""
    from arusha.core.permissions import PresetRole
    from arusha.risks.models import Cycle, CycleMember, Evidence
    from arusha.risks.services.cycles import cycle_create, evidence_add, member_add
    from tests.risks import person

    with scope(organization=cast.customs):
        cycle = Cycle.objects.filter(organization=cast.customs).first()
    if cycle is None:
        cycle = cycle_create(actor=None, organization=cast.customs, title="Walked risk assessment")
        walker = person(cast, "walker@test.example", "Walt Walker", [PresetRole.CONTRIBUTOR])
        member_add(actor=None, cycle=cycle, user=walker, role="chair")
        evidence_add(actor=None, cycle=cycle, kind="document", title="Walked audit report")
    with scope(organization=cast.customs):
        member = CycleMember.objects.filter(cycle=cycle).values_list("pk", flat=True).first()
        evidence = Evidence.objects.filter(cycle=cycle).values_list("pk", flat=True).first()
    assert member is not None and evidence is not None
    return {"cycle": cycle.pk, "member": member, "evidence": evidence}


def _risk_register(cast: Any) -> dict[str, int]:
    """A risk of the walked cycle with a control, a treatment and an acceptance (made once).

    Written as rows: the walked cycle stays in planning for the cycle pages' walk, and a
    risk is identified through the services only once a cycle has passed its guards.
    """
    from django_scopes import scopes_disabled

    from arusha.risks.models import Acceptance, Control, Risk, Treatment

    cycle = _risk_cycle(cast)["cycle"]
    with scopes_disabled():
        risk = Risk.objects.filter(cycle_id=cycle).first()
        if risk is None:
            risk = Risk.objects.create(
                organization=cast.customs,
                cycle_id=cycle,
                process_id=_risk_library(cast)["process"],
                code="R-001",
                title="Walked risk",
            )
            Control.objects.create(risk=risk, kind="preventive", description="Walked control")
            Treatment.objects.create(risk=risk, title="Walked treatment")
            Acceptance.objects.create(
                risk=risk,
                level="high",
                reason="Walked",
                submitted_by=cast.owner,
                submitted_on=datetime.date(2026, 1, 5),
            )
        found = {
            "risk": risk.pk,
            "control": Control.objects.filter(risk=risk).values_list("pk", flat=True).first(),
            "treatment": Treatment.objects.filter(risk=risk).values_list("pk", flat=True).first(),
            "acceptance": Acceptance.objects.filter(risk=risk).values_list("pk", flat=True).first(),
        }
    return {kind: pk for kind, pk in found.items() if pk is not None}


def _risk_indicator(cast: Any) -> int:
    """A key risk indicator of the walked risk (made once)."""
    from django_scopes import scopes_disabled

    from arusha.risks.models import Indicator, Risk
    from arusha.risks.services.indicators import indicator_save

    with scopes_disabled():
        risk = Risk.objects.get(pk=_risk_register(cast)["risk"])
        indicator = Indicator.objects.filter(risk=risk).first()
    if indicator is None:
        values = {"name": "Walked indicator", "source": "manual", "direction": "up", "amber": 10, "red": 20}
        indicator = indicator_save(actor=None, risk=risk, values=values)
    return indicator.pk


def _analytics(cast: Any) -> dict[str, int]:
    """A finished analytics run of the host: a flagged signal about an officer and its review (made once)."""
    from django_scopes import scopes_disabled

    from arusha.analytics.models import Review
    from tests.analytics import row, run_with

    with scopes_disabled():
        review = Review.objects.filter(organization=cast.customs).select_related("signal__run").first()
    if review is None:
        run_with(SimpleNamespace(organization=cast.customs, analyst=cast.owner), [row()])  # type: ignore[arg-type]
        with scopes_disabled():
            review = Review.objects.filter(organization=cast.customs).select_related("signal__run").first()
    assert review is not None
    run = review.signal.run
    return {"signal": review.signal_id, "review": review.pk, "run": run.pk, "dataset": run.dataset_id}


def _contract(cast: Any) -> int:
    """A performance contract of the host's Operations division (made once)."""
    import datetime

    from django_scopes import scopes_disabled

    from arusha.analytics.models import Contract
    from arusha.analytics.services.contracts import Term, contract_create

    with scopes_disabled():
        found = Contract.objects.filter(organization=cast.customs).first()
    if found is None:
        found = contract_create(
            actor=None, organization=cast.customs, title="Walked contract", office=cast.division,
            first_month=datetime.date(2025, 1, 1), last_month=datetime.date(2025, 3, 1),
            terms=[Term("HIT_RATE", "20"), Term("RELEASE_TIME", "24")],
        )  # fmt: skip
    return found.pk


def _urls(cast: Any, world: Any, assessment: Any | None = None) -> dict[str, list[str]]:
    """Every URL under /o/<organization>/, filled with real objects of the host.

    Returns {"organization": [...], "assessment": [...]}: the assessment URLs point at
    `assessment` (the invited one unless told otherwise).
    """
    assessment = assessment or world.assessment
    attachment = services.attachment_add(
        actor=cast.owner,
        organization=cast.customs,
        target=cast.division,
        upload=SimpleUploadedFile("note.txt", b"evidence"),
    )
    with scope(organization=cast.customs):
        membership = Membership.objects.get(organization=cast.customs, user=cast.member)
    with scope(organization=cast.customs):
        report = ReportVersion.objects.filter(assessment=world.assessment).first()
    if report is None:
        report = assessment_services.report_generate(actor=cast.owner, assessment=world.assessment)
    with scope(organization=cast.customs):
        role = Role.objects.filter(organization=cast.customs).first()
        grant = Grant.objects.filter(organization=cast.customs).first()
    if role is None:
        role = services.role_create(
            actor=cast.owner, organization=cast.customs, based_on="performer", name="Field reporter"
        )
    case, case_records = _cases(cast)
    if grant is None:
        grant = services.grant_create(
            actor=cast.owner, organization=cast.customs, user=cast.member,
            permission="planning.plan.view", target=world.plan, reason="Reads the plan",
        )  # fmt: skip
    by_prefix = {
        "assessment-report-file": report.pk,
        "member": membership.pk,
        "role-": role.pk,
        "grant-revoke": grant.pk,
        "attachment-download": attachment.pk,
        "assessment-task": world.task.pk,
        "assessment-participant": world.guest_participant.pk,
        "assessment-group": world.group.pk,
        "assessment-document": world.document.pk,
        "assessment-session": world.session.pk,
        "assessment-response-file": world.response_file.pk,
        "assessment-finding": world.finding.pk,
        "plan-activity": world.activity.pk,
        "plan-export-file": _plan_export(cast, world),
        "kpi-": world.kpi.pk,
        **_monitoring(cast, world),
        **_monitoring_reports(cast, world),
        **case_records,
    }
    urls: dict[str, list[str]] = {"organization": [], "assessment": []}
    for route, pattern in _walk(get_resolver().url_patterns):
        if "<slug:organization>" not in route or route.startswith(("public/", "report/", "s/")):
            # Public pages answer anyone: published plans only (planning tests), reporters'
            # pages (arusha/cases/tests/test_reporter_*.py), the online survey (surveys tests)
            continue
        name = pattern.name or ""
        kwargs: dict[str, object] = {"organization": cast.customs.slug}
        if "<slug:kind>" in route:
            kwargs["kind"] = "division"
        if "<int:assessment>" in route:
            kwargs["assessment"] = assessment.pk
        if "<str:fmt>" in route:
            kwargs["fmt"] = "docx"
        if "<int:plan>" in route:
            kwargs["plan"] = world.plan.pk
        if "<int:activity>" in route:
            kwargs["activity"] = world.activity.pk
        if "<int:kpi>" in route:
            kwargs["kpi"] = world.kpi.pk
        if "<uuid:case>" in route:
            kwargs["case"] = case.pk
        if "<int:wave>" in route:
            kwargs["wave"] = _survey_wave(cast).pk
        if "<int:survey>" in route:
            kwargs["survey"] = _survey_wave(cast).survey_id
        if "<int:number>" in route:  # a questionnaire version, by its number in the survey
            kwargs["number"] = _survey_wave(cast).questionnaire.number
        if "<int:group>" in route:
            kwargs["group"] = _survey_group(cast)
        if "<int:station>" in route:
            kwargs["station"] = _survey_station(cast)
        if "<str:code>" in route:
            kwargs["code"] = "KF1.1"
        if any(f"<int:{kind}>" in route for kind in ("cycle", "member", "evidence")):
            walked = _risk_cycle(cast)
            kwargs.update({kind: pk for kind, pk in walked.items() if f"<int:{kind}>" in route})
        if any(f"<int:{kind}>" in route for kind in ("matrix", "process", "scenario")):
            library = _risk_library(cast)
            kwargs.update({kind: pk for kind, pk in library.items() if f"<int:{kind}>" in route})
        if any(f"<int:{kind}>" in route for kind in ("risk", "control", "treatment", "acceptance")):
            register = _risk_register(cast)
            kwargs.update({kind: pk for kind, pk in register.items() if f"<int:{kind}>" in route})
        if "<int:indicator>" in route:
            kwargs["indicator"] = _risk_indicator(cast)
        if "<int:contract>" in route:
            kwargs["contract"] = _contract(cast)
        if any(f"<int:{kind}>" in route for kind in ("signal", "review", "run", "dataset")):
            walked_analytics = _analytics(cast)
            kwargs.update({kind: pk for kind, pk in walked_analytics.items() if f"<int:{kind}>" in route})
        if "<int:pk>" in route:
            kwargs["pk"] = next(
                (pk for prefix, pk in by_prefix.items() if name.startswith(prefix)), cast.division.pk
            )
        urls["assessment" if "<int:assessment>" in route else "organization"].append(
            reverse(name, kwargs=kwargs)
        )
    return urls


def _refused(client: Any, url: str) -> bool:
    return client.get(url).status_code == 404 and client.post(url, {"name": "x"}).status_code in {404, 405}


def test_outsiders_and_other_organizations_get_404_everywhere(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    urls = _urls(cast, world)
    everything = urls["organization"] + urls["assessment"]
    assert len(urls["organization"]) >= 14 and len(urls["assessment"]) >= 10
    for person in (cast.foreigner, cast.outsider, cast.staff):
        client.force_login(person)
        assert [url for url in everything if not _refused(client, url)] == [], person


def test_anonymous_people_are_sent_to_sign_in(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    urls = _urls(cast, world)
    for url in urls["organization"] + urls["assessment"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), url


def test_an_invited_guest_sees_exactly_the_invited_assessment(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    invited = _urls(cast, world)
    for name in (
        "assessment-detail",
        "assessment-workplan",
        "assessment-participants",
        "assessment-groups",
        "assessment-documents",
        "assessment-terms",
        "assessment-analysis",
    ):
        url = reverse(name, args=[cast.customs.slug, world.assessment.pk])
        assert client.get(url).status_code == 200, url
    sibling = _urls(cast, world, assessment=world.sibling)["assessment"]
    assert [url for url in sibling + invited["organization"] if not _refused(client, url)] == []
    download = client.get(
        reverse("assessment-document-file", args=[cast.customs.slug, world.assessment.pk, world.document.pk])
    )
    assert b"".join(download.streaming_content) == b"%PDF-1.4 code of conduct"


def test_a_contributing_guest_cannot_run_the_assessment(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    for name in ("assessment-invite", "assessment-group-create"):
        # The guest sees the assessment, so a refusal to run it is 403, not 404.
        assert client.get(reverse(name, args=[cast.customs.slug, world.assessment.pk])).status_code == 403


def test_a_member_without_the_permission_is_refused_everywhere(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    urls = _urls(cast, world)
    role = services.role_create(
        actor=cast.owner, organization=cast.customs, based_on="contributor", name="No access"
    )
    services.role_update(
        actor=cast.owner, role=role, name="No access", description="", permissions=[], version=role.version
    )
    bare = services.user_create(email="bare@test.example", full_name="Bea Bare", password="x" * 12)
    services.membership_create(actor=cast.owner, organization=cast.customs, user=bare, roles=[role.code])
    client.force_login(bare)
    allowed = []
    for url in urls["organization"] + urls["assessment"]:
        if client.get(url).status_code not in {403, 404}:
            allowed.append(("GET", url))
        if client.post(url, {"name": "x"}).status_code not in {403, 404, 405}:
            allowed.append(("POST", url))
    assert allowed == []


def test_a_former_guest_sees_nothing_again(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.former_guest)
    urls = _urls(cast, world)
    assert [url for url in urls["organization"] + urls["assessment"] if not _refused(client, url)] == []
    assert "Self-assessment 2027" not in client.get(reverse("home")).content.decode()


def test_a_member_opens_every_organization_and_assessment_page(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    urls = _urls(cast, world)
    for url in urls["organization"] + urls["assessment"]:
        if url.endswith(
            (
                "/comments/",
                "/attachments/",
                "/revoke/",
                "/sessions/",
                "/delete/",
                "/autosave/",
                "/discard/",
                "/status/",
                "/visits/new/",
                "/report/texts/",
                "/report/generate/",
                "/report/feedback/",
                "/outcomes/",
                "/objectives/",
                "/details/",
                "/strategy/",
                "/link/",
                "/verify/",
                "/close/",
                "/done/",
                "/acknowledge/",
                "/next-cycle/",
            )
        ) or any(
            part in url for part in ("/evaluation/objectives/", "/evaluation/kpis/", "/evaluation/gaps/")
        ):
            continue  # these take POST only
        if "/cases/" in url:
            continue  # confidential: the next test opens them as an integrity officer
        if "/surveys/" in url:
            continue  # the owner holds no survey permission (surveys/tests open them as survey staff)
        if re.search(r"/risks/(add/|\d+/)", url):
            continue  # the owner keeps the risk library only; risks/tests open cycles as an integrity officer
        if "/analytics/" in url:
            continue  # the owner holds no analytics permission: analytics/tests open them per persona
        response = client.get(url)
        if response.streaming:
            # Reading a download to its end closes the stored file, the way a browser would.
            assert b"".join(response.streaming_content), url
        assert response.status_code == 200, url


def test_an_integrity_officer_opens_every_case_page(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    """The officer supervises cases, keeps identities and holds the walked case's key, vault unlocked."""
    from tests.cases import unlocked

    urls = [url for url in _urls(cast, world)["organization"] if "/cases/" in url]
    assert len(urls) >= 40
    with scope(organization=cast.customs):
        membership = Membership.objects.get(organization=cast.customs, user__email="officer@test.example")
    services.membership_update(
        actor=cast.owner, membership=membership, roles=["integrity_officer", "custodian"],
        division=None, job_title="", is_active=True, version=membership.version,
    )  # fmt: skip
    officer = unlocked(SimpleNamespace(organization=cast.customs), membership.user)  # type: ignore[arg-type]
    post_only = (
        *("/move/", "/hold/", "/messages/", "/attest/", "/end/", "/approve/", "/refuse/", "/decide/"),
        *("/people/assign/", "/people/override/", "/review/", "/classify/", "/remove/"),
    )
    opened = []
    for url in urls:
        if url.endswith(post_only):
            # Only the assignee may attest: to anyone else the page does not exist.
            assert officer.get(url).status_code == (404 if url.endswith("/attest/") else 405), url
            continue
        answer = officer.get(url)
        if answer.streaming:
            assert b"".join(answer.streaming_content), url  # type: ignore[attr-defined]
        opened.append((url, answer.status_code))
    refused = [(url, code) for url, code in opened if code != 200]
    assert refused == [], "\n".join(f"{code} {url}" for url, code in refused)


def test_the_guest_home_page_lists_the_invitation_across_organizations(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    page = client.get(reverse("home")).content.decode()
    assert "Self-assessment 2027" in page and "Test Customs" in page and "Earlier review" not in page
