from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "arusha.planning"
    label = "planning"
    verbose_name = _("Action planning")

    def ready(self) -> None:
        from arusha.core.access import register_policy
        from arusha.core.audit import register_sentences
        from arusha.core.permissions import register_permissions
        from arusha.planning.access import (
            PERMISSIONS,
            ActivityPolicy,
            KpiPolicy,
            PlanPolicy,
            StrategicObjectivePolicy,
        )

        register_permissions(*PERMISSIONS)
        for policy in (PlanPolicy(), ActivityPolicy(), KpiPolicy(), StrategicObjectivePolicy()):
            register_policy(policy)
        from arusha.core.access import register_parent
        from arusha.core.targets import TARGETS
        from arusha.planning import models as m

        TARGETS["plan"] = m.ActionPlan

        for kind in (m.Outcome, m.Objective, m.Consultation, m.SignOff, m.PlanRevision):
            register_parent(kind, lambda obj: obj.plan)
        register_parent(m.KpiTarget, lambda obj: obj.kpi)

        register_sentences(
            {
                "arusha.plan.created": _("%(actor)s started the action plan %(object)s."),
                "arusha.plan.outcome.added": _("%(actor)s added the outcome %(object)s."),
                "arusha.plan.objective.added": _("%(actor)s added the objective %(object)s."),
                "arusha.plan.activity.created": _("%(actor)s added the activity %(object)s."),
                "arusha.plan.activity.rated": _("%(actor)s rated the priority of %(object)s."),
                "arusha.plan.activity.updated": _("%(actor)s changed the activity %(object)s."),
                "arusha.plan.stakeholder.added": _("%(actor)s added %(object)s to the stakeholder register."),
                "arusha.plan.consultation.added": _("%(actor)s recorded the consultation %(object)s."),
                "arusha.plan.signed_off": _("%(actor)s recorded the sign-off %(object)s."),
                "arusha.plan.revised": _("%(actor)s opened a revision of the action plan %(object)s."),
                "arusha.plan.published": _("%(actor)s published the action plan %(object)s."),
                "arusha.plan.unpublished": _(
                    "%(actor)s withdrew the action plan %(object)s from publication."
                ),
                "arusha.plan.updated": _("%(actor)s changed the action plan %(object)s."),
                "arusha.plan.kpi.created": _("%(actor)s added the indicator %(object)s to the library."),
                "arusha.plan.kpi.updated": _("%(actor)s changed the indicator %(object)s."),
                "arusha.plan.kpi.linked": _("%(actor)s measured the objective %(object)s with an indicator."),
                "arusha.plan.kpi.reference.added": _("%(actor)s added the reference value %(object)s."),
                "arusha.plan.kpi.reference.deleted": _("%(actor)s deleted the reference value %(object)s."),
                "arusha.plan.strategic_objective.added": _(
                    "%(actor)s added the strategic objective %(object)s."
                ),
            }
        )
