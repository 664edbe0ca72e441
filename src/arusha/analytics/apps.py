from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "arusha.analytics"
    label = "analytics"
    verbose_name = _("Integrity analytics")

    def ready(self) -> None:
        from arusha.analytics.access import PERMISSIONS, register_policies
        from arusha.analytics.sentences import SENTENCES
        from arusha.core.audit import register_sentences
        from arusha.core.permissions import register_permissions

        register_permissions(*PERMISSIONS)
        register_policies()
        register_sentences(SENTENCES)

        from arusha.analytics import metrics

        metrics.register()
