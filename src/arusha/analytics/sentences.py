"""How the audit trail tells what happened in integrity analytics."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SENTENCES: dict[str, Any] = {
    "arusha.analytics.dataset.imported": _("%(actor)s imported the clearance dataset %(object)s."),
    "arusha.analytics.dataset.generated": _("%(actor)s generated the synthetic dataset %(object)s."),
    "arusha.analytics.dataset.failed": _("The import of the clearance dataset %(object)s failed."),
    "arusha.analytics.dataset.deleted": _("%(actor)s deleted the clearance dataset %(object)s."),
    "arusha.analytics.run.requested": _("%(actor)s asked for a run of the indicators: %(object)s."),
    "arusha.analytics.run.finished": _("The run of the indicators %(object)s finished."),
    "arusha.analytics.run.failed": _("The run of the indicators %(object)s failed."),
    "arusha.analytics.review.opened": _("A review of the risk signal %(object)s was opened."),
    "arusha.analytics.review.explained": _("%(actor)s recorded an explanation on the review %(object)s."),
    "arusha.analytics.review.closed": _("%(actor)s closed the review %(object)s with no issue."),
    "arusha.analytics.review.referred": _("%(actor)s referred the review %(object)s to a case."),
    "arusha.analytics.review.reopened": _("%(actor)s reopened the review %(object)s."),
    "arusha.analytics.pseudonym.reidentified": _("%(actor)s re-identified %(object)s."),
    "arusha.analytics.signals.exported": _("%(actor)s exported risk signals of %(object)s."),
    "arusha.analytics.contract.created": _("%(actor)s drafted the performance contract %(object)s."),
    "arusha.analytics.contract.updated": _("%(actor)s changed the performance contract %(object)s."),
    "arusha.analytics.contract.agreed": _(
        "%(actor)s recorded the agreement of the performance contract %(object)s."
    ),
    "arusha.analytics.contract.closed": _("%(actor)s closed the performance contract %(object)s."),
    "arusha.analytics.contract.exported": _(
        "%(actor)s exported the scorecard of the performance contract %(object)s."
    ),
    "arusha.analytics.contract.indicator_saved": _(
        "%(actor)s set an indicator of the performance contract %(object)s."
    ),
    "arusha.analytics.contract.indicator_removed": _(
        "%(actor)s removed an indicator from the performance contract %(object)s."
    ),
}
