"""Writes of the final report (IDG step 6): its texts, its generated versions, the feedback."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django_scopes import scope
from django_tasks import task

from arusha.assessments import final_report
from arusha.assessments.access import MANAGE
from arusha.assessments.models import Assessment, Feedback, Participant, ReportText, ReportVersion
from arusha.core.access import authorize
from arusha.core.audit import audit_record, snapshot
from arusha.core.errors import DomainError
from arusha.core.jobs import JobResult, Progress, job_request, job_run
from arusha.core.models import BackgroundJob, User


def report_text_update(
    *, actor: User, assessment: Assessment, key_messages: str, challenges: str
) -> ReportText:
    authorize(actor, MANAGE, assessment)
    with scope(organization=assessment.organization), transaction.atomic():
        text, _created = ReportText.objects.get_or_create(assessment=assessment)
        before = snapshot(text, ("key_messages", "challenges"))
        text.key_messages, text.challenges = key_messages.strip(), challenges.strip()
        text.save()
        audit_record(
            actor=actor,
            action="arusha.assessment.report.text_updated",
            obj=assessment,
            organization=assessment.organization,
            changes={k: [before[k], getattr(text, k)] for k in before if before[k] != getattr(text, k)},
        )
        return text


# The kind of background job that generates the final report (arusha.core.jobs).
REPORT_JOB = "assessments.final_report"


def report_generation_request(*, actor: User, assessment: Assessment, language: str) -> BackgroundJob:
    """Ask the task worker to generate the final report, in `language`; see the job for progress.

    Rendering takes seconds to minutes on a large assessment, so it never runs in the web
    request. A request while a generation is waiting or running answers that one: a
    double click or two managers at once make one version, not two.
    """
    authorize(actor, MANAGE, assessment)
    return job_request(
        actor=actor,
        organization=assessment.organization,
        kind=REPORT_JOB,
        target=assessment,
        language=language,
        task=report_generate_task,
    )


@task()
def report_generate_task(job_id: int) -> str:
    """The worker's side of `report_generation_request`."""
    return str(job_run(job_id, _generate_for_job))


def _generate_for_job(job: BackgroundJob, progress: Progress) -> JobResult:
    assessment = Assessment.objects.filter(pk=int(job.object_id)).first()
    if assessment is None:
        raise DomainError(gettext_noop("The assessment no longer exists."))
    version = report_generate(actor=job.requested_by, assessment=assessment, progress=progress)
    return JobResult(data={"number": version.number, "version": version.pk})


def report_generate(
    *, actor: User | None, assessment: Assessment, progress: Progress | None = None
) -> ReportVersion:
    """Generate the final report as PDF and DOCX, in the active language, and keep both.

    Each generation is a new numbered version with the SHA-256 of its files, so a report
    sent to decision-makers can be matched later with what the platform produced. The
    task worker calls it (`report_generation_request`); `progress` hears of each step.
    """
    authorize(actor, MANAGE, assessment)
    step = progress or (lambda done, total, message: None)
    with scope(organization=assessment.organization):
        step(0, 4, gettext_noop("Gathering the data of the assessment"))
        report = final_report.build(assessment)
        step(1, 4, gettext_noop("Writing the PDF"))
        pdf = final_report.to_pdf(report)
        step(2, 4, gettext_noop("Writing the DOCX"))
        docx = final_report.to_docx(report)
        step(3, 4, gettext_noop("Keeping the new version"))
        with transaction.atomic():
            # Locking the assessment row numbers concurrent generations one after the other.
            Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
            last = ReportVersion.objects.filter(assessment=assessment).aggregate(last=Max("number"))["last"]
            number = (last or 0) + 1
            version = ReportVersion(
                assessment=assessment,
                number=number,
                language=(get_language() or "en").split("-")[0],
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                docx_sha256=hashlib.sha256(docx).hexdigest(),
                generated_by=actor,
            )
            stem = f"assessment-{assessment.pk}-report-v{number}"
            version.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
            version.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
            version.save()
            audit_record(
                actor=actor,
                action="arusha.assessment.report.generated",
                obj=assessment,
                organization=assessment.organization,
                changes={"report": [None, {"version": number, "pdf_sha256": version.pdf_sha256}]},
            )
            return version


def feedback_save(
    *,
    actor: User,
    assessment: Assessment,
    satisfaction: int | None,
    impact: str = "",
    challenges: str = "",
    improvements: str = "",
    good_practices: str = "",
    lessons: str = "",
) -> Feedback:
    """A participant's feedback on the process; giving it again replaces the earlier one."""
    authorize(actor, "view", assessment)
    with scope(organization=assessment.organization), transaction.atomic():
        if not Participant.objects.filter(
            assessment=assessment, user=actor, revoked_at__isnull=True
        ).exists():
            raise DomainError(_("Only the participants of the assessment give feedback on it."))
        if satisfaction is not None and not 1 <= satisfaction <= 5:
            raise DomainError(_("Rate your satisfaction from 1 to 5."), field="satisfaction")
        texts = {
            "impact": impact,
            "challenges": challenges,
            "improvements": improvements,
            "good_practices": good_practices,
            "lessons": lessons,
        }
        if satisfaction is None and not any(t.strip() for t in texts.values()):
            raise DomainError(_("Rate the process or write at least one answer."))
        feedback, _created = Feedback.objects.update_or_create(
            assessment=assessment,
            user=actor,
            defaults={"satisfaction": satisfaction, **{k: v.strip() for k, v in texts.items()}},
        )
        # The audit trail records that feedback was given, not what it says: the report
        # summarizes it without names.
        audit_record(
            actor=actor,
            action="arusha.assessment.feedback.given",
            obj=assessment,
            organization=assessment.organization,
        )
        return feedback
