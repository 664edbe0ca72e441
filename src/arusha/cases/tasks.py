"""Notices of the cases context. Nothing here names a case a reporter sent, or dates one."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.core.models import Organization


def notify_waiting(organization_id: int) -> int:
    """Tell the organization's intake officers how many reports wait (no detail, no link to one).

    Called by the daily check, never by a submission: its time says nothing of a report's.
    """
    from arusha.cases.models import Case, Channel, Status
    from arusha.core.tasks import email_send

    with scopes_disabled():
        organization = Organization.objects.filter(pk=organization_id).first()
        if organization is None:
            return 0
        waiting = Case.objects.filter(organization=organization, status=Status.SUBMITTED).count()
        emails = sorted(
            {
                user.email
                for channel in Channel.objects.filter(organization=organization, is_active=True)
                for user in channel.recipients.all()
                if user.email
            }
        )
    if not waiting or not emails:
        return 0
    email_send.enqueue(
        subject=_("New reports are waiting in %(organization)s") % {"organization": organization.name},
        body=_("%(count)d reports wait to be acknowledged. Sign in to read them.") % {"count": waiting},
        to=emails,
    )
    return len(emails)
