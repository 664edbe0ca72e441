from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "arusha.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from arusha.core.access import DivisionPolicy, MembershipPolicy, register_policy
        from arusha.core.audit import register_sentences
        from arusha.core.permissions import CORE_PERMISSIONS, register_permissions

        register_permissions(*CORE_PERMISSIONS)
        register_policy(DivisionPolicy())
        register_policy(MembershipPolicy())
        register_sentences(
            {
                "arusha.role.created": _("%(actor)s created the role %(object)s."),
                "arusha.role.updated": _("%(actor)s changed the role %(object)s."),
                "arusha.role.deleted": _("%(actor)s deleted the role %(object)s."),
                "arusha.grant.created": _("%(actor)s gave access: %(object)s."),
                "arusha.grant.revoked": _("%(actor)s revoked access: %(object)s."),
            }
        )
