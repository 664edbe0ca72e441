from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data across every context; nothing in the platform depends on it."""

    name = "arusha.demo"
    label = "demo"
    verbose_name = _("Demo data")
