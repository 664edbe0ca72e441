from django.apps import AppConfig
from django.db.models import Model
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "arusha.risks"
    label = "risks"
    verbose_name = _("Corruption risk mapping")

    def ready(self) -> None:
        from arusha.core.access import register_parent, register_policy
        from arusha.core.audit import register_sentences
        from arusha.core.permissions import register_permissions
        from arusha.risks import models as m
        from arusha.risks.access import PERMISSIONS, CyclePolicy, MatrixPolicy, ProcessPolicy, RiskPolicy
        from arusha.risks.sentences import SENTENCES

        register_permissions(*PERMISSIONS)
        register_policy(CyclePolicy())
        register_policy(RiskPolicy())
        register_policy(ProcessPolicy())
        register_policy(MatrixPolicy())
        cycle_parts: tuple[type[Model], ...] = (m.CycleMember, m.Evidence)
        for kind in cycle_parts:
            register_parent(kind, lambda obj: obj.cycle)
        risk_parts: tuple[type[Model], ...] = (
            m.RatingSnapshot,
            m.Control,
            m.Treatment,
            m.Acceptance,
            m.Indicator,
        )
        for kind in risk_parts:
            register_parent(kind, lambda obj: obj.risk)
        register_parent(m.Reading, lambda obj: obj.indicator)
        register_parent(m.Scenario, lambda obj: obj.process)
        register_sentences(SENTENCES)
