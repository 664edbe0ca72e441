"""Writes of the assessments context. One transaction and one audit record each."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.assessments.access import CONTRIBUTE, MANAGE, PERMISSION_MANAGE
from arusha.assessments.annex4 import activities_for
from arusha.assessments.models import (
    AgendaSession,
    Assessment,
    BackgroundDocument,
    ExcludedArea,
    IdgRole,
    Participant,
    Scope,
    Task,
    TermsOfReference,
    WorkingGroup,
)
from arusha.assessments.selectors.setup import areas_in_scope
from arusha.core import services as core_services
from arusha.core.access import authorize, authorize_in
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Division, Membership, Organization, User
from arusha.frameworks import services as framework_services
from arusha.frameworks.models import FrameworkVersion

_ASSESSMENT_FIELDS = (
    "title",
    "framework_version",
    "mode",
    "scope",
    "planned_start",
    "planned_end",
    "responsible_division",
    "previous",
)
_TASK_FIELDS = ("assignee", "start_date", "due_date", "completed_on", "note")
_PARTICIPANT_FIELDS = (
    "user",
    "idg_role",
    "stakeholder_group",
    "expertise",
    "gender",
    "working_group",
    "is_guest",
    "revoked_at",
)
_GROUP_FIELDS = ("name", "area_codes", "rapporteur")


def _area_codes(version: FrameworkVersion) -> list[str]:
    return list(version.areas.values_list("code", flat=True))


def _check_dates(start: datetime.date | None, end: datetime.date | None, field: str) -> None:
    if start and end and end < start:
        raise DomainError(_("The end comes before the start."), field=field)


@transaction.atomic
def assessment_create(
    *,
    actor: User,
    organization: Organization,
    title: str,
    framework_version: FrameworkVersion,
    mode: int,
    scope_kind: str,
    planned_start: datetime.date,
    planned_end: datetime.date,
    responsible_division: Division | None = None,
    previous: Assessment | None = None,
    excluded: dict[str, str] | None = None,
) -> Assessment:
    """Open an assessment against a pinned pack version, with its Annex 4 workplan for the mode."""
    authorize_in(actor, PERMISSION_MANAGE, organization)
    excluded = {code: reason.strip() for code, reason in (excluded or {}).items()}
    _check_dates(planned_start, planned_end, "planned_end")
    codes = _area_codes(framework_version)
    if scope_kind == Scope.TARGETED:
        if not excluded:
            raise DomainError(_("A targeted assessment leaves out at least one area."), field="excluded")
        unknown = sorted(set(excluded) - set(codes))
        if unknown:
            raise DomainError(_("Unknown area: %(code)s.") % {"code": unknown[0]}, field="excluded")
        missing = sorted(code for code, reason in excluded.items() if not reason)
        if missing:
            raise DomainError(_("Say why %(code)s is left out.") % {"code": missing[0]}, field="excluded")
        if set(excluded) == set(codes):
            raise DomainError(_("An assessment keeps at least one area in scope."), field="excluded")
    elif excluded:
        raise DomainError(_("A comprehensive assessment leaves no area out."), field="scope")
    if responsible_division is not None and responsible_division.organization_id != organization.pk:
        raise DomainError(_("The division belongs to another organization."), field="responsible_division")
    if previous is not None and previous.organization_id != organization.pk:
        raise DomainError(_("The earlier assessment belongs to another organization."), field="previous")
    assessment = Assessment.objects.create(
        organization=organization,
        title=title.strip(),
        framework_version=framework_version,
        mode=mode,
        scope=scope_kind,
        planned_start=planned_start,
        planned_end=planned_end,
        responsible_division=responsible_division,
        previous=previous,
        created_by=actor,
    )
    ExcludedArea.objects.bulk_create(
        ExcludedArea(assessment=assessment, area_code=code, reason=reason)
        for code, reason in sorted(excluded.items())
    )
    Task.objects.bulk_create(
        Task(assessment=assessment, code=activity.code, step=activity.step, responsible_roles=roles)
        for activity, roles in activities_for(mode)
    )
    framework_services.framework_version_lock(version=framework_version)
    audit_change(
        actor=actor,
        action="arusha.assessment.created",
        obj=assessment,
        organization=organization,
        fields=_ASSESSMENT_FIELDS,
    )
    return assessment


def _participant_users(assessment: Assessment) -> set[int]:
    with scope(organization=assessment.organization):
        return set(
            Participant.objects.filter(assessment=assessment, revoked_at__isnull=True).values_list(
                "user_id", flat=True
            )
        )


@transaction.atomic
def task_update(
    *,
    actor: User,
    task: Task,
    assignee: User | None,
    start_date: datetime.date | None,
    due_date: datetime.date | None,
    completed_on: datetime.date | None,
    note: str,
    version: int | None = None,
) -> Task:
    authorize(actor, MANAGE, task.assessment)
    _check_dates(start_date, due_date, "due_date")
    if assignee is not None and assignee.pk not in _participant_users(task.assessment):
        raise DomainError(_("Assign the task to a participant of the assessment."), field="assignee")
    before = snapshot(task, _TASK_FIELDS)
    task.assignee, task.start_date, task.due_date = assignee, start_date, due_date
    task.completed_on, task.note = completed_on, note.strip()
    save_versioned(task, version=version, fields=_TASK_FIELDS)
    audit_change(
        actor=actor,
        action="arusha.assessment.task.updated",
        obj=task,
        organization=task.assessment.organization,
        fields=_TASK_FIELDS,
        before=before,
    )
    return task


def _check_participant_fields(idg_role: str, stakeholder_group: str) -> None:
    if idg_role == IdgRole.EXTERNAL_CONTRIBUTOR and not stakeholder_group:
        raise DomainError(
            _("Say which stakeholder group an external contributor speaks for."), field="stakeholder_group"
        )


@transaction.atomic
def participant_invite(
    *,
    actor: User,
    assessment: Assessment,
    email: str,
    full_name: str,
    idg_role: str,
    stakeholder_group: str = "",
    expertise: str = "",
    gender: str = "",
    working_group: WorkingGroup | None = None,
    login_url: str = "",
) -> Participant:
    """Invite a person to this one assessment: a member, or a guest from anywhere else.

    A guest sees this assessment and what hangs from it, nothing else of the host. A
    person without an account gets one with no usable password, and is told how to set it.
    """
    authorize(actor, MANAGE, assessment)
    _check_participant_fields(idg_role, stakeholder_group)
    organization = assessment.organization
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        if not full_name.strip():
            raise DomainError(_("This person has no account yet: give their full name."), field="full_name")
        user = core_services.user_create(
            email=email,
            full_name=full_name.strip(),
            password=None,
            preferred_language=organization.default_language,
        )
    with scope(organization=organization):
        is_member = Membership.objects.filter(organization=organization, user=user, is_active=True).exists()
        participant = Participant.objects.filter(assessment=assessment, user=user).first()
    if working_group is not None and working_group.assessment_id != assessment.pk:
        raise DomainError(_("The working group belongs to another assessment."), field="working_group")
    if participant is not None and participant.revoked_at is None:
        raise DomainError(_("This person already takes part in the assessment."), field="email")
    before = snapshot(participant, _PARTICIPANT_FIELDS) if participant else {}
    if participant is None:
        participant = Participant(assessment=assessment, user=user)
    participant.idg_role, participant.stakeholder_group = idg_role, stakeholder_group
    participant.expertise, participant.gender, participant.working_group = expertise, gender, working_group
    participant.is_guest, participant.invited_by, participant.revoked_at = not is_member, actor, None
    participant.save()
    audit_change(
        actor=actor,
        action="arusha.assessment.participant.invited",
        obj=participant,
        organization=organization,
        fields=_PARTICIPANT_FIELDS,
        before=before,
    )
    core_services.notification_send(
        recipient=user,
        organization=organization,
        subject=_("You are invited to the assessment “%(title)s”") % {"title": assessment.title},
        body=_("%(actor)s invited you as %(role)s. If you have no password yet, set one here:")
        % {"actor": actor, "role": participant.get_idg_role_display()},
        url=login_url,
    )
    return participant


@transaction.atomic
def participant_update(
    *,
    actor: User,
    participant: Participant,
    idg_role: str,
    stakeholder_group: str,
    expertise: str,
    gender: str,
    working_group: WorkingGroup | None,
    version: int | None = None,
) -> Participant:
    authorize(actor, MANAGE, participant.assessment)
    _check_participant_fields(idg_role, stakeholder_group)
    if working_group is not None and working_group.assessment_id != participant.assessment_id:
        raise DomainError(_("The working group belongs to another assessment."), field="working_group")
    before = snapshot(participant, _PARTICIPANT_FIELDS)
    participant.idg_role, participant.stakeholder_group = idg_role, stakeholder_group
    participant.expertise, participant.gender, participant.working_group = expertise, gender, working_group
    save_versioned(
        participant,
        version=version,
        fields=["idg_role", "stakeholder_group", "expertise", "gender", "working_group"],
    )
    audit_change(
        actor=actor,
        action="arusha.assessment.participant.updated",
        obj=participant,
        organization=participant.assessment.organization,
        fields=_PARTICIPANT_FIELDS,
        before=before,
    )
    return participant


@transaction.atomic
def participant_revoke(*, actor: User, participant: Participant) -> Participant:
    """End a participation: the person loses access to the assessment at once."""
    authorize(actor, MANAGE, participant.assessment)
    if participant.revoked_at is not None:
        return participant
    before = snapshot(participant, _PARTICIPANT_FIELDS)
    participant.revoked_at = timezone.now()
    participant.save(update_fields=["revoked_at"])
    with scope(organization=participant.assessment.organization):
        WorkingGroup.objects.filter(rapporteur=participant).update(rapporteur=None)
    audit_change(
        actor=actor,
        action="arusha.assessment.participant.revoked",
        obj=participant,
        organization=participant.assessment.organization,
        fields=_PARTICIPANT_FIELDS,
        before=before,
    )
    return participant


def _check_group(assessment: Assessment, group: WorkingGroup | None, area_codes: list[str]) -> list[str]:
    in_scope = areas_in_scope(assessment)
    unknown = [code for code in area_codes if code not in in_scope]
    if unknown:
        raise DomainError(
            _("%(code)s is not in the scope of the assessment.") % {"code": unknown[0]}, field="area_codes"
        )
    with scope(organization=assessment.organization):
        others = WorkingGroup.objects.filter(assessment=assessment)
        if group is not None:
            others = others.exclude(pk=group.pk)
        taken = {code: g.name for g in others for code in g.area_codes}
    clash = [code for code in area_codes if code in taken]
    if clash:
        raise DomainError(
            _("%(code)s is already given to the group “%(group)s”.")
            % {"code": clash[0], "group": taken[clash[0]]},
            field="area_codes",
        )
    return [code for code in in_scope if code in area_codes]


@transaction.atomic
def working_group_create(
    *, actor: User, assessment: Assessment, name: str, area_codes: list[str]
) -> WorkingGroup:
    authorize(actor, MANAGE, assessment)
    codes = _check_group(assessment, None, area_codes)
    try:
        with transaction.atomic():
            group = WorkingGroup.objects.create(assessment=assessment, name=name.strip(), area_codes=codes)
    except IntegrityError as exc:
        raise DomainError(_("A working group with this name already exists."), field="name") from exc
    audit_change(
        actor=actor,
        action="arusha.assessment.group.created",
        obj=group,
        organization=assessment.organization,
        fields=_GROUP_FIELDS,
    )
    return group


@transaction.atomic
def working_group_update(
    *,
    actor: User,
    group: WorkingGroup,
    name: str,
    area_codes: list[str],
    rapporteur: Participant | None,
    version: int | None = None,
) -> WorkingGroup:
    authorize(actor, MANAGE, group.assessment)
    codes = _check_group(group.assessment, group, area_codes)
    if rapporteur is not None and (rapporteur.working_group_id != group.pk or not rapporteur.is_active):
        raise DomainError(_("The rapporteur is chosen among the group's members."), field="rapporteur")
    before = snapshot(group, _GROUP_FIELDS)
    group.name, group.area_codes, group.rapporteur = name.strip(), codes, rapporteur
    try:
        with transaction.atomic():
            save_versioned(group, version=version, fields=["name", "area_codes", "rapporteur"])
    except IntegrityError as exc:
        raise DomainError(_("A working group with this name already exists."), field="name") from exc
    audit_change(
        actor=actor,
        action="arusha.assessment.group.updated",
        obj=group,
        organization=group.assessment.organization,
        fields=_GROUP_FIELDS,
        before=before,
    )
    return group


_DOCUMENT_FIELDS = ("category", "title", "url", "summary", "reviewed_by", "reviewed_on")


@transaction.atomic
def background_document_add(
    *,
    actor: User,
    assessment: Assessment,
    category: str,
    title: str,
    summary: str = "",
    url: str = "",
    upload: UploadedFile | None = None,
) -> BackgroundDocument:
    """Add a step-3 document: a file (checked and checksummed as any attachment) or a link."""
    authorize(actor, CONTRIBUTE, assessment)
    if not url and upload is None:
        raise DomainError(_("Upload the document or give its link."), field="file")
    if url and upload is not None:
        raise DomainError(_("Give either a file or a link, not both."), field="url")
    document = BackgroundDocument.objects.create(
        assessment=assessment,
        category=category,
        title=title.strip(),
        url=url,
        summary=summary.strip(),
        added_by=actor,
    )
    if upload is not None:
        document.attachment = core_services.attachment_add(
            actor=actor, organization=assessment.organization, target=document, upload=upload
        )
        document.save(update_fields=["attachment"])
    audit_change(
        actor=actor,
        action="arusha.assessment.document.added",
        obj=document,
        organization=assessment.organization,
        fields=_DOCUMENT_FIELDS,
    )
    return document


@transaction.atomic
def background_document_review(
    *, actor: User, document: BackgroundDocument, summary: str, version: int | None = None
) -> BackgroundDocument:
    """Record who reviewed the document, when, and what it says for the assessment."""
    authorize(actor, CONTRIBUTE, document.assessment)
    if not summary.strip():
        raise DomainError(_("Summarize what the document says for the assessment."), field="summary")
    before = snapshot(document, _DOCUMENT_FIELDS)
    document.summary, document.reviewed_by, document.reviewed_on = (
        summary.strip(),
        actor,
        timezone.localdate(),
    )
    save_versioned(document, version=version, fields=["summary", "reviewed_by", "reviewed_on"])
    audit_change(
        actor=actor,
        action="arusha.assessment.document.reviewed",
        obj=document,
        organization=document.assessment.organization,
        fields=_DOCUMENT_FIELDS,
        before=before,
    )
    return document


@transaction.atomic
def terms_update(
    *, actor: User, assessment: Assessment, values: dict[str, str], version: int | None = None
) -> TermsOfReference:
    """Write the Annex 5 fields of the terms of reference (unknown fields are refused).

    `version` is the one the form was read at (1 for terms not written yet): a save
    over a newer one is refused.
    """
    authorize(actor, MANAGE, assessment)
    unknown = sorted(set(values) - set(TermsOfReference.FIELDS))
    if unknown:
        raise DomainError(_("Unknown field: %(field)s.") % {"field": unknown[0]})
    with scope(organization=assessment.organization):
        terms, _created = TermsOfReference.objects.get_or_create(assessment=assessment)
    before = snapshot(terms, TermsOfReference.FIELDS)
    for name, value in values.items():
        setattr(terms, name, value.strip())
    save_versioned(terms, version=version, fields=values)
    audit_change(
        actor=actor,
        action="arusha.assessment.terms.updated",
        obj=terms,
        organization=assessment.organization,
        fields=TermsOfReference.FIELDS,
        before=before,
    )
    return terms


_SESSION_FIELDS = ("date", "start_time", "end_time", "title", "location", "lead")


@transaction.atomic
def agenda_session_add(
    *,
    actor: User,
    assessment: Assessment,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    title: str,
    location: str = "",
    lead: str = "",
) -> AgendaSession:
    authorize(actor, MANAGE, assessment)
    if end_time <= start_time:
        raise DomainError(_("The session ends before it starts."), field="end_time")
    session = AgendaSession.objects.create(
        assessment=assessment,
        date=date,
        start_time=start_time,
        end_time=end_time,
        title=title.strip(),
        location=location.strip(),
        lead=lead.strip(),
    )
    audit_change(
        actor=actor,
        action="arusha.assessment.session.added",
        obj=session,
        organization=assessment.organization,
        fields=_SESSION_FIELDS,
    )
    return session


@transaction.atomic
def agenda_session_delete(*, actor: User, session: AgendaSession) -> None:
    authorize(actor, MANAGE, session.assessment)
    before = snapshot(session, _SESSION_FIELDS)
    audit_record(
        actor=actor,
        action="arusha.assessment.session.deleted",
        obj=session,
        organization=session.assessment.organization,
        changes={name: [value, None] for name, value in before.items()},
    )
    session.delete()
