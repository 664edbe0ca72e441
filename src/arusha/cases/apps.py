from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "arusha.cases"
    label = "cases"
    verbose_name = _("Complaints and cases")

    def ready(self) -> None:
        from arusha.cases import models as m
        from arusha.cases.access import PERMISSIONS, CasePolicy, ChannelPolicy
        from arusha.cases.sentences import SENTENCES
        from arusha.core.access import register_parent, register_policy
        from arusha.core.audit import register_sentences
        from arusha.core.permissions import register_permissions

        register_permissions(*PERMISSIONS)
        register_policy(CasePolicy())
        register_policy(ChannelPolicy())
        # Never in core.targets: core comments and attachments are stored in the clear.
        for kind in (
            m.CaseKey,
            m.Message,
            m.CaseFile,
            m.Subject,
            m.Assignment,
            m.ConflictOverride,
            m.Disclosure,
            m.Reminder,
            m.InvestigationPlan,
            m.Allegation,
            m.Evidence,
            m.Interview,
            m.Sanction,
            m.Referral,
            m.ProtectionMeasure,
            m.Recommendation,
        ):
            register_parent(kind, lambda obj: obj.case)
        register_parent(m.CustodyEvent, lambda obj: obj.evidence)
        register_sentences(SENTENCES)
        from arusha.cases.home import cases_work
        from arusha.core.home import register_work

        register_work(cases_work)
        from arusha.cases import metrics

        metrics.register()
        from arusha.cases import risk_figures

        risk_figures.register()
