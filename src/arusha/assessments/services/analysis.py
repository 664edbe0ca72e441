"""Writes of the situational analysis (IDG step 5): answers, their versions, status and drafts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.assessments import maturity
from arusha.assessments.access import AnalysisRights, rights_for
from arusha.assessments.models import (
    Assessment,
    BackgroundDocument,
    Response,
    ResponseDraft,
    ResponseStatus,
    ResponseVersion,
)
from arusha.assessments.selectors.setup import areas_in_scope
from arusha.core import services as core_services
from arusha.core.audit import audit_change, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import Attachment, Comment, User
from arusha.frameworks.models import Question

MIN_WORDS = 5
# Words that, alone, make a bare yes or no in the interface's languages.
_BARE = {"yes", "no", "oui", "non", "si", "partly", "partially", "partiellement", "parcialmente", "na", "n/a"}
_RESPONSE_FIELDS = ("narrative", *maturity.FIELDS, "level", "status")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def check_narrative(narrative: str) -> str:
    """The answer, trimmed, or a DomainError if it is empty or a bare yes or no."""
    narrative = narrative.strip()
    words = re.findall(r"[\w/]+", _fold(narrative))
    if not words:
        raise DomainError(_("Write the answer before saving it."), field="narrative")
    if set(words) <= _BARE or len(words) < MIN_WORDS:
        raise DomainError(
            _(
                "A bare “yes” or “no” is not an answer. Describe the measure in place, how it "
                "works in practice and what shows it (at least %(count)s words)."
            )
            % {"count": MIN_WORDS},
            field="narrative",
        )
    return narrative


def check_ratings(ratings: Mapping[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name in maturity.FIELDS:
        value = ratings.get(name, "") or ""
        if value and value not in maturity.Rating.values:
            raise DomainError(_("Choose yes, partly, no or unknown."), field=name)
        cleaned[name] = value
    wrong = maturity.inconsistent(cleaned)
    if wrong:
        raise DomainError(
            _(
                "No measure exists, so it cannot be designed, implemented or effective: "
                "answer “no” or leave it blank."
            ),
            field=wrong[0],
        )
    return cleaned


def _question_in_scope(assessment: Assessment, question: Question) -> str:
    if question.version_id != assessment.framework_version_id:
        raise DomainError(_("This question is not part of the assessment's framework."))
    area_code = question.area.code
    if area_code not in areas_in_scope(assessment):
        raise DomainError(_("This question's area is outside the scope of the assessment."))
    return area_code


def _may_edit(rights: AnalysisRights, area_code: str) -> None:
    if area_code not in rights.edit:
        raise DomainError(_("You may answer only the questions of the areas given to your working group."))


def _response_for(assessment: Assessment, question: Question, area_code: str) -> Response:
    # The row lock makes two saves of the same answer take turns, so the version check
    # below sees the other's save instead of silently overwriting it.
    response = Response.objects.select_for_update().filter(assessment=assessment, question=question).first()
    if response is None:
        response = Response.objects.create(assessment=assessment, question=question, area_code=area_code)
    return response


def _keep_version(response: Response, actor: User) -> ResponseVersion:
    return ResponseVersion.objects.create(
        response=response,
        number=response.version,
        narrative=response.narrative,
        level=response.level,
        status=response.status,
        evidence=[document.title for document in response.evidence.all()],
        saved_by=actor,
        saved_at=response.updated_at or timezone.now(),
        **response.ratings(),
    )


def response_save(
    *,
    actor: User,
    assessment: Assessment,
    question: Question,
    narrative: str,
    ratings: Mapping[str, str],
    evidence: Sequence[BackgroundDocument] = (),
    base_version: int | None = None,
) -> Response:
    """Save an answer as a new version.

    `base_version` is the version the person started from: if someone saved in the
    meantime, the save is refused (their draft stays) rather than overwriting the other.
    Changing an answer that was proposed or agreed takes it back to draft.
    """
    with scope(organization=assessment.organization), transaction.atomic():
        area_code = _question_in_scope(assessment, question)
        rights = rights_for(assessment, actor)
        _may_edit(rights, area_code)
        narrative = check_narrative(narrative)
        cleaned = check_ratings(ratings)
        for document in evidence:
            if document.assessment_id != assessment.pk:
                raise DomainError(
                    _("Evidence must be a background document of this assessment."), field="evidence"
                )
        response = _response_for(assessment, question, area_code)
        if base_version is not None and response.version != base_version:
            who = response.updated_by or _("someone")
            when = (
                date_format(timezone.localtime(response.updated_at), "DATETIME_FORMAT")
                if response.updated_at
                else ""
            )
            raise DomainError(
                _(
                    "%(who)s saved a newer version (%(when)s) while you were writing. Your text is kept "
                    "as your draft: compare it with theirs, then save again."
                )
                % {"who": who, "when": when},
                field="narrative",
            )
        if response.status == ResponseStatus.AGREED and area_code not in rights.agree:
            raise DomainError(
                _("This answer was agreed in plenary. Only a facilitator or the rapporteur may change it.")
            )
        before = snapshot(response, _RESPONSE_FIELDS)
        old_evidence = set(response.evidence.values_list("pk", flat=True))
        new_evidence = {document.pk for document in evidence}
        unchanged = (
            response.version > 0
            and response.narrative == narrative
            and response.ratings() == cleaned
            and old_evidence == new_evidence
        )
        ResponseDraft.objects.filter(assessment=assessment, question=question, user=actor).delete()
        if unchanged:
            return response
        response.narrative = narrative
        for name, value in cleaned.items():
            setattr(response, name, value)
        response.level = maturity.level(cleaned)
        response.status = ResponseStatus.DRAFT
        response.version += 1
        response.updated_by = actor
        response.updated_at = timezone.now()
        response.save()
        response.evidence.set(evidence)
        _keep_version(response, actor)
        audit_change(
            actor=actor,
            action="arusha.assessment.response.saved",
            obj=response,
            organization=assessment.organization,
            before=before,
            fields=_RESPONSE_FIELDS,
        )
        return response


_TRANSITIONS = {
    (ResponseStatus.DRAFT, ResponseStatus.PROPOSED): "edit",
    (ResponseStatus.DRAFT, ResponseStatus.AGREED): "agree",
    (ResponseStatus.PROPOSED, ResponseStatus.AGREED): "agree",
    (ResponseStatus.PROPOSED, ResponseStatus.DRAFT): "edit",
    (ResponseStatus.AGREED, ResponseStatus.PROPOSED): "agree",
}
_ACTIONS = {
    ResponseStatus.PROPOSED: "arusha.assessment.response.proposed",
    ResponseStatus.AGREED: "arusha.assessment.response.agreed",
    ResponseStatus.DRAFT: "arusha.assessment.response.returned",
}


def allowed_statuses(response: Response | None, rights: AnalysisRights) -> list[str]:
    """The statuses a person may move an answer to, for the buttons on its page."""
    if response is None or response.version == 0:
        return []
    area = response.area_code
    allowed = []
    for (source, target), need in _TRANSITIONS.items():
        if source == response.status and area in (rights.agree if need == "agree" else rights.edit):
            allowed.append(str(target))
    return allowed


def response_set_status(*, actor: User, response: Response, status: str) -> Response:
    """Propose an answer, agree it in plenary, send it back to draft or reopen it."""
    assessment = response.assessment
    with scope(organization=assessment.organization), transaction.atomic():
        response = Response.objects.select_for_update().get(pk=response.pk)
        rights = rights_for(assessment, actor)
        need = _TRANSITIONS.get((ResponseStatus(response.status), ResponseStatus(status)))
        if need is None or response.version == 0:
            raise DomainError(
                _("The answer cannot move from “%(from)s” to “%(to)s”.")
                % {
                    "from": response.get_status_display(),
                    "to": ResponseStatus(status).label,
                }
            )
        if response.area_code not in (rights.agree if need == "agree" else rights.edit):
            if need == "agree":
                raise DomainError(
                    _("Only a facilitator or the working group's rapporteur may agree an answer.")
                )
            raise DomainError(
                _("You may answer only the questions of the areas given to your working group.")
            )
        if status != ResponseStatus.DRAFT:
            missing = maturity.first_unanswered(response.ratings())
            if missing is not None:
                raise DomainError(
                    _("Evaluate the measure first: “%(step)s” is not answered.") % {"step": missing.label}
                )
        before = snapshot(response, ("status",))
        response.status = status
        response.version += 1
        response.updated_by = actor
        response.updated_at = timezone.now()
        response.save(update_fields=["status", "version", "updated_by", "updated_at"])
        _keep_version(response, actor)
        audit_change(
            actor=actor,
            action=_ACTIONS[ResponseStatus(status)],
            obj=response,
            organization=assessment.organization,
            before=before,
            fields=("status",),
        )
        return response


def response_autosave(
    *,
    actor: User,
    assessment: Assessment,
    question: Question,
    narrative: str,
    ratings: Mapping[str, str],
    base_version: int,
) -> ResponseDraft:
    """Keep what a person is typing, without making a version.

    A draft is the person's own working copy: nobody else sees it and it is not part of
    the record, so it is not audited. Saving the answer replaces it.
    """
    with scope(organization=assessment.organization), transaction.atomic():
        area_code = _question_in_scope(assessment, question)
        _may_edit(rights_for(assessment, actor), area_code)
        values = {
            name: (value if value in maturity.Rating.values else "")
            for name, value in ((n, ratings.get(n, "")) for n in maturity.FIELDS)
        }
        draft, _created = ResponseDraft.objects.update_or_create(
            assessment=assessment,
            question=question,
            user=actor,
            defaults={
                "narrative": narrative[:100_000],
                "base_version": base_version,
                "saved_at": timezone.now(),
                **values,
            },
        )
        return draft


def response_draft_discard(*, actor: User, assessment: Assessment, question: Question) -> None:
    with scope(organization=assessment.organization):
        ResponseDraft.objects.filter(assessment=assessment, question=question, user=actor).delete()


def _existing_or_new(actor: User, assessment: Assessment, question: Question, need_edit: bool) -> Response:
    area_code = _question_in_scope(assessment, question)
    rights = rights_for(assessment, actor)
    if need_edit:
        _may_edit(rights, area_code)
    return _response_for(assessment, question, area_code)


def response_attach(
    *, actor: User, assessment: Assessment, question: Question, upload: UploadedFile
) -> Attachment:
    """Add a file as evidence of an answer."""
    with scope(organization=assessment.organization), transaction.atomic():
        response = _existing_or_new(actor, assessment, question, need_edit=True)
        return core_services.attachment_add(
            actor=actor, organization=assessment.organization, target=response, upload=upload
        )


def response_comment(*, actor: User, assessment: Assessment, question: Question, body: str) -> Comment:
    """Add to the comment thread of an answer; every contributor and facilitator may."""
    with scope(organization=assessment.organization), transaction.atomic():
        response = _existing_or_new(actor, assessment, question, need_edit=False)
        return core_services.comment_add(
            actor=actor, organization=assessment.organization, target=response, body=body
        )
