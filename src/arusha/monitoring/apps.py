from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "arusha.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring, evaluation and review")

    def ready(self) -> None:
        from arusha.core.audit import register_sentences
        from arusha.core.permissions import register_permissions
        from arusha.monitoring.access import PERMISSIONS

        register_permissions(*PERMISSIONS)
        from arusha.core.home import register_home_section, register_work
        from arusha.monitoring.home import monitoring_work, plans_taken_part

        register_work(monitoring_work)
        register_home_section("monitoring/_home.html", plans_taken_part)
        from arusha.core.access import register_parent
        from arusha.monitoring import models as m

        for kind in (
            m.MonitoringSetup, m.ReportingPeriod, m.Meeting, m.MonitoringTask, m.Alert, m.Evaluation,
            m.GapEntry, m.ReviewIndicator,
        ):  # fmt: skip
            register_parent(kind, lambda obj: obj.plan)
        register_parent(m.ProgressReport, lambda obj: obj.activity)
        register_parent(m.Measurement, lambda obj: obj.period)
        register_parent(m.FollowUp, lambda obj: obj.meeting)

        register_sentences(
            {
                "arusha.monitoring.set_up": _("%(actor)s set up the monitoring of %(object)s."),
                "arusha.monitoring.progress.reported": _("%(actor)s reported progress on %(object)s."),
                "arusha.monitoring.measurement.entered": _("%(actor)s entered the measurement %(object)s."),
                "arusha.monitoring.measurement.verified": _("%(actor)s verified the measurement %(object)s."),
                "arusha.monitoring.meeting.recorded": _(
                    "%(actor)s recorded the steering committee meeting of %(object)s."
                ),
                "arusha.monitoring.follow_up.added": _("%(actor)s added the follow-up action %(object)s."),
                "arusha.monitoring.follow_up.done": _("%(actor)s closed the follow-up action %(object)s."),
                "arusha.monitoring.task.added": _("%(actor)s added %(object)s to the monitoring work plan."),
                "arusha.monitoring.task.done": _("%(actor)s completed the monitoring task %(object)s."),
                "arusha.monitoring.alert.acknowledged": _("%(actor)s acknowledged the alert %(object)s."),
                "arusha.monitoring.evaluated": _("%(actor)s evaluated %(object)s."),
                "arusha.monitoring.gap.recorded": _("%(actor)s recorded the integrity gap of %(object)s."),
                "arusha.monitoring.indicator.recorded": _(
                    "%(actor)s recorded the review indicator %(object)s."
                ),
                "arusha.monitoring.cycle.started": _("%(actor)s started the next cycle from %(object)s."),
                "arusha.monitoring.next_plan.drafted": _(
                    "%(actor)s drafted the next cycle's plan %(object)s."
                ),
            }
        )
