from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "arusha.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from arusha.assessments.access import PERMISSIONS, AssessmentPolicy
        from arusha.assessments.home import assessment_work, assessments_taken_part
        from arusha.assessments.models import Assessment
        from arusha.core.access import register_policy
        from arusha.core.audit import register_sentences
        from arusha.core.home import register_home_section, register_work
        from arusha.core.permissions import register_permissions
        from arusha.core.targets import TARGETS

        TARGETS["assessment"] = Assessment
        register_permissions(*PERMISSIONS)
        register_policy(AssessmentPolicy())
        from arusha.assessments import models as m
        from arusha.core.access import register_parent

        for kind in (
            m.ExcludedArea, m.Task, m.WorkingGroup, m.Participant, m.BackgroundDocument,
            m.TermsOfReference, m.AgendaSession, m.Response, m.ResponseDraft, m.Finding, m.FieldVisit,
            m.ReportVersion, m.Feedback,
        ):  # fmt: skip
            register_parent(kind, lambda obj: obj.assessment)
        register_parent(m.ResponseVersion, lambda obj: obj.response)
        register_work(assessment_work)
        register_home_section("assessments/_home.html", assessments_taken_part)
        register_sentences(
            {
                "arusha.assessment.created": _("%(actor)s opened the assessment %(object)s."),
                "arusha.assessment.task.updated": _("%(actor)s updated the workplan activity %(object)s."),
                "arusha.assessment.participant.invited": _("%(actor)s invited %(object)s to the assessment."),
                "arusha.assessment.participant.updated": _(
                    "%(actor)s changed the participation of %(object)s."
                ),
                "arusha.assessment.participant.revoked": _(
                    "%(actor)s ended the participation of %(object)s."
                ),
                "arusha.assessment.group.created": _("%(actor)s set up the working group %(object)s."),
                "arusha.assessment.group.updated": _("%(actor)s changed the working group %(object)s."),
                "arusha.assessment.terms.updated": _("%(actor)s changed %(object)s."),
                "arusha.assessment.session.added": _("%(actor)s added the agenda session %(object)s."),
                "arusha.assessment.session.deleted": _("%(actor)s removed the agenda session %(object)s."),
                "arusha.assessment.document.added": _("%(actor)s added the background document %(object)s."),
                "arusha.assessment.document.reviewed": _(
                    "%(actor)s reviewed the background document %(object)s."
                ),
                "arusha.assessment.response.saved": _("%(actor)s saved the answer to %(object)s."),
                "arusha.assessment.response.proposed": _("%(actor)s proposed the answer to %(object)s."),
                "arusha.assessment.response.agreed": _(
                    "%(actor)s recorded the plenary's agreement on the answer to %(object)s."
                ),
                "arusha.assessment.finding.created": _("%(actor)s recorded the finding %(object)s."),
                "arusha.assessment.finding.updated": _("%(actor)s changed the finding %(object)s."),
                "arusha.assessment.finding.deleted": _("%(actor)s deleted the finding %(object)s."),
                "arusha.assessment.visit.added": _("%(actor)s logged the field visit %(object)s."),
                "arusha.assessment.report.text_updated": _(
                    "%(actor)s changed the key messages or challenges of the report on %(object)s."
                ),
                "arusha.assessment.report.generated": _(
                    "%(actor)s generated the final report of %(object)s."
                ),
                "arusha.assessment.feedback.given": _("%(actor)s gave feedback on %(object)s."),
                "arusha.assessment.imported": _("%(actor)s imported the assessment %(object)s."),
                "arusha.assessment.workbook.imported": _(
                    "%(actor)s imported a workshop workbook into %(object)s."
                ),
                "arusha.assessment.response.returned": _(
                    "%(actor)s sent the answer to %(object)s back to draft."
                ),
            }
        )
