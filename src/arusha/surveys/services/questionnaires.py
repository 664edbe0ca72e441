"""Setting a survey up: the survey, its respondent groups, questionnaire versions and waves.

A version is imported whole (from an XLSForm or the example, arusha.surveys.xlsform) as a
new draft; a draft may be replaced by another import or deleted; publishing fixes it for
good with the checksum of its content, and every service refuses to change a published
version: a change is a new draft copied from it (`version_new_draft`). Items keep their
lineage across versions: given in the form's `lineage` column, else taken from the item
of the same name in the latest published version, else new.

Survey managers (`surveys.survey.manage`) do all of this; every write is audited.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.core.access import authorize_in
from arusha.core.audit import audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.surveys.access import MANAGE, authorize_survey
from arusha.surveys.models import (
    SMALLEST_CELL,
    Choice,
    Item,
    ItemKind,
    Population,
    QuestionnaireVersion,
    RespondentGroup,
    Survey,
    VersionStatus,
    Wave,
    WaveStatus,
)
from arusha.surveys.services.version_content import content_write, counts_of, header_of, lineages_of
from arusha.surveys.xlsform import Questionnaire, canonical, from_version

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
GROUP_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LARGEST_CELL = 1000
MAX_LABEL = 200

_SURVEY_FIELDS = ("title", "slug", "description", "minimum_cell")
_WAVE_FIELDS = ("name", "questionnaire", "opens_on", "closes_on")


# --- Surveys ----------------------------------------------------------------------------------


def _survey_clean(
    organization: Organization, data: Mapping[str, Any], *, exclude: int | None = None
) -> dict[str, Any]:
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        raise DomainError(_("Give the survey a title of at most 200 characters."), field="title")
    slug = str(data.get("slug") or "").strip().lower()
    if not SLUG.match(slug):
        raise DomainError(
            _("A short name has lower-case letters, digits and dashes, at most 60."), field="slug"
        )
    with scopes_disabled():
        same = Survey.objects.filter(organization=organization, slug=slug)
        if (same.exclude(pk=exclude) if exclude is not None else same).exists():
            raise DomainError(_("Another survey already has this short name."), field="slug")
    description = str(data.get("description") or "").strip()
    if len(description) > 5000:
        raise DomainError(_("Keep the description under 5,000 characters."), field="description")
    try:
        cell = int(data.get("minimum_cell") or 0)
    except (TypeError, ValueError):
        cell = 0
    if not SMALLEST_CELL <= cell <= LARGEST_CELL:
        raise DomainError(
            _("The smallest group shown is a number from %(low)d to %(high)d.")
            % {"low": SMALLEST_CELL, "high": LARGEST_CELL},
            field="minimum_cell",
        )
    return {"title": title, "slug": slug, "description": description, "minimum_cell": cell}


def survey_create(
    *,
    actor: User | None,
    organization: Organization,
    title: str,
    slug: str,
    description: str = "",
    minimum_cell: int = 10,
) -> Survey:
    authorize_in(actor, MANAGE, organization)
    clean = _survey_clean(
        organization,
        {"title": title, "slug": slug, "description": description, "minimum_cell": minimum_cell},
    )
    with transaction.atomic(), scopes_disabled():
        survey = Survey.objects.create(organization=organization, created_by=actor, **clean)
        audit_record(
            actor=actor,
            action="arusha.surveys.survey_created",
            obj=survey,
            organization=organization,
            changes=diff({}, snapshot(survey, _SURVEY_FIELDS)),
        )
    return survey


def survey_edit(
    *,
    actor: User | None,
    survey: Survey,
    title: str,
    slug: str,
    description: str,
    minimum_cell: int,
    version: int | None = None,
) -> Survey:
    authorize_survey(actor, "manage", survey)
    clean = _survey_clean(
        survey.organization,
        {"title": title, "slug": slug, "description": description, "minimum_cell": minimum_cell},
        exclude=survey.pk,
    )
    before = snapshot(survey, _SURVEY_FIELDS)
    with transaction.atomic(), scopes_disabled():
        for name, value in clean.items():
            setattr(survey, name, value)
        save_versioned(survey, version=version, fields=list(clean))
        audit_record(
            actor=actor,
            action="arusha.surveys.survey_updated",
            obj=survey,
            organization=survey.organization,
            changes=diff(before, snapshot(survey, _SURVEY_FIELDS)),
        )
    return survey


# --- Respondent groups --------------------------------------------------------------------------


def _collecting(survey: Survey) -> bool:
    """Whether a wave of the survey has opened: stations and responses know its groups by code."""
    with scopes_disabled():
        return Wave.objects.filter(survey=survey).exclude(status=WaveStatus.DRAFT).exists()


def _group_clean(
    survey: Survey,
    code: str,
    labels: Mapping[str, str],
    parent: RespondentGroup | None,
    group: RespondentGroup | None,
) -> tuple[str, dict[str, str]]:
    code = code.strip().lower()
    if not GROUP_CODE.match(code):
        raise DomainError(_("A code has lower-case letters, digits, dashes and _, at most 40."), field="code")
    with scopes_disabled():
        same = RespondentGroup.objects.filter(survey=survey, code=code)
        if (same.exclude(pk=group.pk) if group is not None else same).exists():
            raise DomainError(_("Another group of this survey has this code."), field="code")
    clean = {str(lang): str(text).strip() for lang, text in labels.items() if str(text or "").strip()}
    if not clean:
        raise DomainError(_("Give the group a name in at least one language."), field="labels")
    if any(len(text) > MAX_LABEL for text in clean.values()):
        raise DomainError(_("Keep each name under 200 characters."), field="labels")
    if parent is not None:
        if parent.survey_id != survey.pk:
            raise DomainError(_("Choose a group of this survey."), field="parent")
        if parent.parent_id is not None or (group is not None and parent.pk == group.pk):
            raise DomainError(
                _("A subgroup belongs to a group of the first level (such as the private sector)."),
                field="parent",
            )
        with scopes_disabled():
            has_subgroups = group is not None and RespondentGroup.objects.filter(parent=group).exists()
        if has_subgroups:
            raise DomainError(_("This group has subgroups, so it cannot be one itself."), field="parent")
    return code, clean


def _group_snapshot(group: RespondentGroup) -> dict[str, Any]:
    return {
        "code": group.code,
        "labels": dict(group.labels),
        "parent": group.parent.code if group.parent else None,
    }


def group_create(
    *,
    actor: User | None,
    survey: Survey,
    code: str,
    labels: Mapping[str, str],
    parent: RespondentGroup | None = None,
) -> RespondentGroup:
    authorize_survey(actor, "manage", survey)
    code, clean = _group_clean(survey, code, labels, parent, None)
    with transaction.atomic(), scopes_disabled():
        position = (
            RespondentGroup.objects.filter(survey=survey).aggregate(last=Max("position"))["last"] or 0
        ) + 1
        group = RespondentGroup.objects.create(
            survey=survey, code=code, labels=clean, parent=parent, position=position
        )
        audit_record(
            actor=actor,
            action="arusha.surveys.group_created",
            obj=group,
            organization=survey.organization,
            changes=diff({}, _group_snapshot(group)),
        )
    return group


def group_edit(
    *,
    actor: User | None,
    group: RespondentGroup,
    code: str,
    labels: Mapping[str, str],
    parent: RespondentGroup | None = None,
) -> RespondentGroup:
    """Groups carry no version: a change is small and kept in the audit trail.

    Once a wave has opened, stations and responses know the groups by code and place:
    only their names may change.
    """
    survey = group.survey
    authorize_survey(actor, "manage", survey)
    code, clean = _group_clean(survey, code, labels, parent, group)
    if _collecting(survey) and (code != group.code or (parent.pk if parent else None) != group.parent_id):
        raise DomainError(
            _("A wave of this survey has opened: the group's code and place can no longer change."),
            field="code",
        )
    before = _group_snapshot(group)
    with transaction.atomic(), scopes_disabled():
        group.code, group.labels, group.parent = code, clean, parent
        group.save(update_fields=["code", "labels", "parent"])
        audit_record(
            actor=actor,
            action="arusha.surveys.group_updated",
            obj=group,
            organization=survey.organization,
            changes=diff(before, _group_snapshot(group)),
        )
    return group


# --- Questionnaire versions ---------------------------------------------------------------------


def refuse_published(questionnaire: QuestionnaireVersion) -> None:
    """A published version never changes: every service that would change one calls this first."""
    if questionnaire.is_published:
        raise DomainError(
            _("Version %(number)s is published and never changes. Make a new draft of it to change it.")
            % {"number": questionnaire.number}
        )


def _lock_draft(questionnaire: QuestionnaireVersion) -> None:
    """Hold the version's row until commit and refuse it if it was published meanwhile."""
    status = (
        QuestionnaireVersion.objects.select_for_update()
        .filter(pk=questionnaire.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status is None:
        raise DomainError(_("This version was deleted meanwhile."))
    if status == VersionStatus.PUBLISHED:
        raise DomainError(_("This version was published meanwhile: it never changes."))


def _next_number(model: type[QuestionnaireVersion] | type[Wave], survey: Survey) -> int:
    # The survey's row is locked first, so two imports (or two new waves) at once take
    # turns and never draw the same number.
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    last = model.objects.filter(survey=survey).aggregate(last=Max("number"))["last"]
    return int(last or 0) + 1


def _version_add(
    survey: Survey, content: Questionnaire, lineages: list[uuid.UUID], *, actor: User | None
) -> QuestionnaireVersion:
    """A new draft holding `content`, numbered after the last (inside the caller's transaction)."""
    target = QuestionnaireVersion.objects.create(
        survey=survey,
        number=_next_number(QuestionnaireVersion, survey),
        created_by=actor,
        **header_of(content),
    )
    content_write(target, content, lineages)
    return target


def version_import(
    *, actor: User | None, survey: Survey, questionnaire: Questionnaire
) -> QuestionnaireVersion:
    """A new draft version, numbered after the last, holding the whole questionnaire or nothing."""
    authorize_survey(actor, "manage", survey)
    lineages = lineages_of(survey, questionnaire)
    with transaction.atomic(), scopes_disabled():
        target = _version_add(survey, questionnaire, lineages, actor=actor)
        audit_record(
            actor=actor,
            action="arusha.surveys.version_imported",
            obj=target,
            organization=survey.organization,
            changes={
                "number": [None, target.number],
                **{k: [None, v] for k, v in counts_of(questionnaire).items()},
            },
        )
    return target


def version_replace(
    *,
    actor: User | None,
    questionnaire: QuestionnaireVersion,
    content: Questionnaire,
    version: int | None = None,
) -> QuestionnaireVersion:
    """Put another import in place of a draft's content (never a published version's)."""
    survey = questionnaire.survey
    authorize_survey(actor, "manage", survey)
    refuse_published(questionnaire)
    lineages = lineages_of(survey, content)
    before = counts_of(from_version(questionnaire))
    with transaction.atomic(), scopes_disabled():
        header = header_of(content)
        for name, value in header.items():
            setattr(questionnaire, name, value)
        _lock_draft(questionnaire)
        save_versioned(questionnaire, version=version, fields=list(header))
        Item.objects.filter(questionnaire=questionnaire).delete()
        Choice.objects.filter(questionnaire=questionnaire).delete()
        content_write(questionnaire, content, lineages)
        after = counts_of(content)
        audit_record(
            actor=actor,
            action="arusha.surveys.version_replaced",
            obj=questionnaire,
            organization=survey.organization,
            changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
        )
    return questionnaire


def version_checksum(questionnaire: QuestionnaireVersion) -> str:
    """SHA-256 (hex) of the canonical JSON of the version's items, choices and languages."""
    return hashlib.sha256(canonical(from_version(questionnaire)).encode("utf-8")).hexdigest()


def version_publish(
    *, actor: User | None, questionnaire: QuestionnaireVersion, version: int | None = None
) -> QuestionnaireVersion:
    """Fix the version for good: from now on waves may use it and nothing may change it."""
    survey = questionnaire.survey
    authorize_survey(actor, "manage", survey)
    refuse_published(questionnaire)
    with scopes_disabled():
        answerable = Item.objects.filter(questionnaire=questionnaire).exclude(kind=ItemKind.NOTE).exists()
    if not answerable:
        raise DomainError(_("This version has no question to answer."))
    missing = [code for code in questionnaire.languages if not questionnaire.anonymity_statement.get(code)]
    if missing:
        raise DomainError(
            _("The anonymity statement is missing in %(languages)s.") % {"languages": ", ".join(missing)}
        )
    with transaction.atomic(), scopes_disabled():
        _lock_draft(questionnaire)
        questionnaire.status = VersionStatus.PUBLISHED
        questionnaire.published_on = timezone.localdate()
        questionnaire.checksum = version_checksum(questionnaire)
        save_versioned(questionnaire, version=version, fields=["status", "published_on", "checksum"])
        audit_record(
            actor=actor,
            action="arusha.surveys.version_published",
            obj=questionnaire,
            organization=survey.organization,
            changes={
                "status": [VersionStatus.DRAFT, VersionStatus.PUBLISHED],
                "checksum": [None, questionnaire.checksum],
            },
        )
    return questionnaire


def version_new_draft(*, actor: User | None, questionnaire: QuestionnaireVersion) -> QuestionnaireVersion:
    """A draft copy of a published version, numbered after the last, every item keeping its lineage."""
    survey = questionnaire.survey
    authorize_survey(actor, "manage", survey)
    if not questionnaire.is_published:
        raise DomainError(_("Only a published version is copied: change a draft by importing it again."))
    content = from_version(questionnaire)
    lineages = [item.lineage or uuid.uuid4() for item in content.items]
    with transaction.atomic(), scopes_disabled():
        draft = _version_add(survey, content, lineages, actor=actor)
        audit_record(
            actor=actor,
            action="arusha.surveys.version_drafted",
            obj=draft,
            organization=survey.organization,
            changes={"number": [None, draft.number], "copied_from": [None, questionnaire.number]},
        )
    return draft


def version_delete(
    *, actor: User | None, questionnaire: QuestionnaireVersion, version: int | None = None
) -> None:
    """Delete a draft (a published version is kept for ever: waves and responses refer to it)."""
    survey = questionnaire.survey
    authorize_survey(actor, "manage", survey)
    refuse_published(questionnaire)
    with transaction.atomic(), scopes_disabled():
        _lock_draft(questionnaire)
        # The conditional write refuses a draft replaced since the page was read.
        save_versioned(questionnaire, version=version, fields=[])
        audit_record(
            actor=actor,
            action="arusha.surveys.version_deleted",
            obj=questionnaire,
            organization=survey.organization,
            changes={"number": [questionnaire.number, None]},
        )
        questionnaire.delete()


# --- Waves ----------------------------------------------------------------------------------------


def _wave_clean(
    survey: Survey,
    name: str,
    questionnaire: QuestionnaireVersion | None,
    opens_on: datetime.date | None,
    closes_on: datetime.date | None,
) -> tuple[str, QuestionnaireVersion]:
    name = name.strip()
    if not name or len(name) > 150:
        raise DomainError(_("Give the wave a name of at most 150 characters."), field="name")
    if questionnaire is None or questionnaire.survey_id != survey.pk:
        raise DomainError(_("Choose a version of this survey's questionnaire."), field="questionnaire")
    if not questionnaire.is_published:
        raise DomainError(_("Choose a published version: a draft may still change."), field="questionnaire")
    if opens_on is not None and closes_on is not None and closes_on < opens_on:
        raise DomainError(_("The wave closes after it opens."), field="closes_on")
    return name, questionnaire


def wave_create(
    *,
    actor: User | None,
    survey: Survey,
    name: str,
    questionnaire: QuestionnaireVersion | None,
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
) -> Wave:
    authorize_survey(actor, "manage", survey)
    name, chosen = _wave_clean(survey, name, questionnaire, opens_on, closes_on)
    with transaction.atomic(), scopes_disabled():
        number = _next_number(Wave, survey)
        wave = Wave.objects.create(
            survey=survey,
            name=name,
            number=number,
            questionnaire=chosen,
            opens_on=opens_on,
            closes_on=closes_on,
        )
        audit_record(
            actor=actor,
            action="arusha.surveys.wave_created",
            obj=wave,
            organization=survey.organization,
            changes=diff({}, snapshot(wave, ("number", *_WAVE_FIELDS))),
        )
    return wave


def wave_edit(
    *,
    actor: User | None,
    wave: Wave,
    name: str,
    questionnaire: QuestionnaireVersion | None,
    opens_on: datetime.date | None,
    closes_on: datetime.date | None,
    version: int | None = None,
) -> Wave:
    """Name and dates change at any time; the questionnaire only before the wave first opens."""
    survey = wave.survey
    authorize_survey(actor, "manage", survey)
    name, chosen = _wave_clean(survey, name, questionnaire, opens_on, closes_on)
    if chosen.pk != wave.questionnaire_id and wave.status != WaveStatus.DRAFT:
        raise DomainError(
            _("The wave has opened: its questionnaire can no longer change."), field="questionnaire"
        )
    before = snapshot(wave, _WAVE_FIELDS)
    with transaction.atomic(), scopes_disabled():
        wave.name, wave.opens_on, wave.closes_on = name, opens_on, closes_on
        wave.questionnaire = chosen
        save_versioned(wave, version=version, fields=list(_WAVE_FIELDS))
        audit_record(
            actor=actor,
            action="arusha.surveys.wave_updated",
            obj=wave,
            organization=survey.organization,
            changes=diff(before, snapshot(wave, _WAVE_FIELDS)),
        )
    return wave


def populations_of(wave: Wave) -> dict[int, int]:
    """{group id: people in the group} as known for the wave."""
    with scopes_disabled():
        return dict(Population.objects.filter(wave=wave).values_list("group_id", "count"))


def wave_populations(
    *,
    actor: User | None,
    wave: Wave,
    counts: Mapping[int, int | None],
    version: int | None = None,
) -> Wave:
    """Set how many people each group counts (for weights); None forgets a group's count."""
    survey = wave.survey
    authorize_survey(actor, "manage", survey)
    with scopes_disabled():
        groups = {group.pk: group for group in RespondentGroup.objects.filter(survey=survey)}
    for group_id, count in counts.items():
        if group_id not in groups:
            raise DomainError(_("Give counts for this survey's groups only."), field="counts")
        if count is not None and not 1 <= count <= 100_000_000:
            raise DomainError(
                _("The count of %(group)s is a whole number of at least 1, or empty.")
                % {"group": groups[group_id].label()},
                field=f"group_{group_id}",
            )
    before = {groups[g].code: c for g, c in populations_of(wave).items() if g in groups}
    with transaction.atomic(), scopes_disabled():
        # The wave's version guards the counts as a whole, as its edit form does its fields.
        save_versioned(wave, version=version, fields=[])
        for group_id, count in counts.items():
            if count is None:
                Population.objects.filter(wave=wave, group_id=group_id).delete()
            else:
                Population.objects.update_or_create(wave=wave, group_id=group_id, defaults={"count": count})
        after = {groups[g].code: c for g, c in populations_of(wave).items() if g in groups}
        audit_record(
            actor=actor,
            action="arusha.surveys.wave_populations",
            obj=wave,
            organization=survey.organization,
            changes={"populations": [before, after]} if before != after else {},
        )
    return wave
