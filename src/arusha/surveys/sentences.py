"""What the audit trail says of setting surveys up: surveys, groups, versions and waves."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SENTENCES: dict[str, Any] = {
    "arusha.surveys.survey_created": _("%(actor)s created the survey %(object)s."),
    "arusha.surveys.survey_updated": _("%(actor)s changed the survey %(object)s."),
    "arusha.surveys.group_created": _("%(actor)s added the respondent group %(object)s."),
    "arusha.surveys.group_updated": _("%(actor)s changed the respondent group %(object)s."),
    "arusha.surveys.version_imported": _("%(actor)s imported the questionnaire %(object)s."),
    "arusha.surveys.version_replaced": _("%(actor)s replaced the draft questionnaire %(object)s."),
    "arusha.surveys.version_published": _("%(actor)s published the questionnaire %(object)s."),
    "arusha.surveys.version_drafted": _("%(actor)s made the draft questionnaire %(object)s."),
    "arusha.surveys.version_deleted": _("%(actor)s deleted the draft questionnaire %(object)s."),
    "arusha.surveys.wave_created": _("%(actor)s added the survey wave %(object)s."),
    "arusha.surveys.wave_updated": _("%(actor)s changed the survey wave %(object)s."),
    "arusha.surveys.wave_populations": _("%(actor)s set the group sizes of the survey wave %(object)s."),
    "arusha.surveys.wave_opened": _("%(actor)s opened the survey wave %(object)s."),
    "arusha.surveys.wave_closed": _("%(actor)s closed the survey wave %(object)s."),
}
