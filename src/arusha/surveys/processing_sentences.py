"""What the audit trail says of processing: station files, paper, imports, the key, review."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SENTENCES: dict[str, Any] = {
    "arusha.surveys.bundle_uploaded": _("%(actor)s uploaded a station file to %(object)s."),
    "arusha.surveys.paper_keyed": _("%(actor)s keyed in a paper response to %(object)s."),
    "arusha.surveys.responses_imported": _("%(actor)s imported responses from another tool into %(object)s."),
    "arusha.surveys.quarantine_accepted": _("%(actor)s accepted the quarantined response %(object)s."),
    "arusha.surveys.quarantine_refused": _("%(actor)s tried to accept the quarantined response %(object)s."),
    "arusha.surveys.quarantine_excluded": _("%(actor)s excluded the quarantined response %(object)s."),
    "arusha.surveys.resend_resolved": _("%(actor)s decided on a conflicting re-send of %(object)s."),
    "arusha.surveys.key_opened": _("%(actor)s opened the key of the survey wave %(object)s."),
    "arusha.surveys.key_closed": _("%(actor)s closed the key of the survey wave %(object)s."),
}
