"""Background work of the cases context. Arguments never name a case a reporter sent."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from django_tasks import task

from arusha.core.models import Organization


@task()
def cases_notify_new(organization_id: int) -> int:
    """Tell the organization's intake officers that new reports are waiting (no detail, no link to one)."""
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
