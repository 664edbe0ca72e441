"""What the audit trail says of each case action (registered from CasesConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SENTENCES: dict[str, Any] = {
    "arusha.case.subject.added": _("%(actor)s recorded a person concerned by case %(object)s."),
    "arusha.case.subject.removed": _("%(actor)s removed a person concerned by case %(object)s."),
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
    "arusha.case.unassigned": _("%(actor)s ended someone's part in case %(object)s."),
    "arusha.case.settings.updated": _("%(actor)s changed the case settings of %(object)s."),
    "arusha.case.category.created": _("%(actor)s added the case category %(object)s."),
    "arusha.case.category.updated": _("%(actor)s changed the case category %(object)s."),
    "arusha.relationship.declared": _("%(actor)s declared a relationship (%(object)s)."),
    "arusha.relationship.ended": _("%(actor)s ended a declared relationship (%(object)s)."),
    # Investigation (services/investigation.py, evidence.py, referral.py)
    "arusha.case.plan.written": _("%(actor)s wrote the investigation plan of case %(object)s."),
    "arusha.case.plan.approved": _("%(actor)s approved the investigation plan of case %(object)s."),
    "arusha.case.allegation.added": _("%(actor)s recorded an allegation in case %(object)s."),
    "arusha.case.allegation.updated": _("%(actor)s changed an allegation in case %(object)s."),
    "arusha.case.finding.recorded": _("%(actor)s recorded a finding in case %(object)s."),
    "arusha.case.finding.reviewed": _("%(actor)s reviewed a finding in case %(object)s."),
    "arusha.case.interview.recorded": _("%(actor)s recorded an interview in case %(object)s."),
    "arusha.case.sanction.recorded": _("%(actor)s recorded a decision on an allegation in case %(object)s."),
    "arusha.case.protection.added": _("%(actor)s recorded a protection measure in case %(object)s."),
    "arusha.case.recommendation.added": _("%(actor)s wrote a systemic recommendation from case %(object)s."),
    "arusha.case.evidence.registered": _("%(actor)s registered an item of evidence in case %(object)s."),
    "arusha.case.custody.recorded": _("%(actor)s recorded a custody event in case %(object)s."),
    "arusha.case.evidence.check_failed": _("The integrity check found altered evidence in case %(object)s."),
    "arusha.case.referred": _("%(actor)s referred case %(object)s to an authority."),
    "arusha.case.referral.downloaded": _("%(actor)s downloaded a referral package of case %(object)s."),
    "arusha.authority.created": _("%(actor)s registered the authority %(object)s."),
    "arusha.authority.updated": _("%(actor)s changed the authority %(object)s."),
}
