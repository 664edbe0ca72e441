"""What the audit trail says of collection: survey stations and invitations."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SENTENCES: dict[str, Any] = {
    "arusha.surveys.station_created": _("%(actor)s added the survey station %(object)s."),
    "arusha.surveys.station_code_made": _(
        "%(actor)s made an enrolment code for the survey station %(object)s."
    ),
    "arusha.surveys.station_enrolled": _("%(actor)s: a device enrolled as the survey station %(object)s."),
    "arusha.surveys.station_retired": _("%(actor)s retired the survey station %(object)s."),
    "arusha.surveys.invitations_created": _("%(actor)s made invitations to the online survey of %(object)s."),
}
