"""What the audit trail says of each case action (registered from CasesConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SENTENCES: dict[str, Any] = {
    "arusha.case.submitted": _("A report came in as case %(object)s."),
    "arusha.case.recorded": _("%(actor)s recorded the report %(object)s."),
    "arusha.case.reporter_message": _("The reporter wrote in case %(object)s."),
    "arusha.case.message": _("%(actor)s wrote to the reporter in case %(object)s."),
    "arusha.case.note": _("%(actor)s added an internal note to case %(object)s."),
    "arusha.case.status": _("%(actor)s moved case %(object)s on."),
    "arusha.case.updated": _("%(actor)s changed case %(object)s."),
    "arusha.case.assigned": _("%(actor)s assigned someone to case %(object)s."),
    "arusha.case.attested": _("%(actor)s attested having no conflict in case %(object)s."),
    "arusha.case.override.requested": _("%(actor)s asked to override a conflict in case %(object)s."),
    "arusha.case.override.approved": _("%(actor)s approved a conflict override in case %(object)s."),
    "arusha.case.override.refused": _("%(actor)s refused a conflict override in case %(object)s."),
    "arusha.case.key.granted": _("%(actor)s gave someone the key of case %(object)s."),
    "arusha.case.disclosure.requested": _(
        "%(actor)s asked to learn the reporter's identity in case %(object)s."
    ),
    "arusha.case.disclosure.decided": _(
        "%(actor)s decided a request to disclose an identity in case %(object)s."
    ),
    "arusha.case.reminder": _("The system reminded the handlers of a deadline of case %(object)s."),
    "arusha.case.escalated": _("The system escalated case %(object)s."),
    "arusha.case.purged": _("The keys of case %(object)s were destroyed."),
    "arusha.channel.created": _("%(actor)s opened the reporting channel %(object)s."),
    "arusha.channel.updated": _("%(actor)s changed the reporting channel %(object)s."),
    "arusha.case.vault.created": _("%(actor)s set up a case vault."),
}
