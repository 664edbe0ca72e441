"""Writes of sign-in: API tokens, invitations, session epochs.

Each service is one transaction with one audit record, like the services of core.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from arusha.accounts.models import ApiToken, Invitation, SessionEpoch, TokenScope
from arusha.core import services as core_services
from arusha.core.access import access_of, authorize_in
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Division, Membership, Organization, User
from arusha.core.permissions import Permission
from arusha.core.tasks import email_send, enqueue_on_commit

INVITATION_DAYS = 14


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- API tokens ---------------------------------------------------------------------------


@transaction.atomic
def api_token_create(
    *, actor: User, organization: Organization, scope: str, expires_in_days: int, name: str = ""
) -> tuple[ApiToken, str]:
    """A new token for the person in one organization; the key is returned once and never stored."""
    if not access_of(actor, organization).is_member:
        raise DomainError(
            _("You can create a token only for an organization you are a member of."), field="organization"
        )
    if scope not in TokenScope.values:
        raise DomainError(_("Choose read only or read and write."), field="scope")
    longest = settings.ARUSHA_API_TOKEN_MAX_DAYS
    if not 1 <= expires_in_days <= longest:
        raise DomainError(
            _("A token lasts from 1 to %(days)s days.") % {"days": longest}, field="expires_in_days"
        )
    token, key = ApiToken.objects.create(
        user=actor,
        expiry=datetime.timedelta(days=expires_in_days),
        name=name.strip()[:100],
        organization=organization,
        scope=scope,
    )
    audit_record(
        actor=actor,
        action="arusha.account.api_token.created",
        obj=actor,
        organization=organization,
        changes={"token": [None, f"{token.token_key}… {scope} {token.expiry:%Y-%m-%d}"]},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise Http404
    audit_record(
        actor=actor,
        action="arusha.account.api_token.revoked",
        obj=actor,
        organization=token.organization,
        changes={"token": [f"{token.token_key}…", None]},
    )
    token.delete()


def api_tokens_revoke_for_membership(*, membership: Membership) -> int:
    """Revoke every token a person holds in an organization (called when the membership ends)."""
    revoked, _by_model = ApiToken.objects.filter(
        user_id=membership.user_id, organization_id=membership.organization_id
    ).delete()
    if revoked:
        audit_record(
            actor=None,
            action="arusha.account.api_token.revoked_with_membership",
            obj=membership,
            organization=membership.organization,
            changes={"tokens": [revoked, 0]},
        )
    return int(revoked)


# --- Sessions -----------------------------------------------------------------------------


def session_epoch_advance(*, user: User) -> int:
    """End every session the person has open (their roles changed); returns the new epoch."""
    SessionEpoch.objects.get_or_create(user=user)
    SessionEpoch.objects.filter(user=user).update(epoch=F("epoch") + 1)
    return SessionEpoch.objects.get(user=user).epoch


def membership_changed(*, membership: Membership, roles_before: list[str], active_before: bool) -> None:
    """What a membership change means for sign-in: a role change ends the person's sessions;
    a membership that stops revokes their tokens in that organization."""
    if sorted(roles_before) != sorted(membership.roles) or active_before != membership.is_active:
        session_epoch_advance(user=membership.user)
    if active_before and not membership.is_active:
        api_tokens_revoke_for_membership(membership=membership)


# --- Invitations -----------------------------------------------------------------------------


def _invitation_mail(invitation: Invitation, url: str, language: str) -> None:
    with translation.override(language):
        subject = _("Invitation to join %(org)s in Arusha") % {"org": invitation.organization.name}
        body = _(
            "%(actor)s invites you to join %(org)s in Arusha. Open this link to accept "
            "(it works once, until %(date)s):"
        ) % {
            "actor": invitation.invited_by or _("An administrator"),
            "org": invitation.organization.name,
            "date": f"{invitation.expires_at:%Y-%m-%d}",
        }
        ignore = _("If you did not expect this invitation, ignore this message: nothing happens.")
    enqueue_on_commit(
        email_send, subject=str(subject), body=f"{body}\n\n{url}\n\n{ignore}", to=[invitation.email]
    )


@transaction.atomic
def invitation_send(
    *,
    actor: User,
    organization: Organization,
    email: str,
    roles: list[str],
    job_title: str = "",
    division: Division | None = None,
    site_url: str,
) -> Invitation:
    """Invite a person by e-mail, whether or not they have an account: the answer is the same.

    The person becomes a member only when they accept through the link (an existing
    account signs in first; a new person chooses their name and password). An earlier
    open invitation to the same address is withdrawn.
    """
    authorize_in(actor, Permission.MEMBERS, organization)
    email = email.strip().lower()
    roles = core_services.roles_clean(organization, roles)
    if division is not None and division.organization_id != organization.pk:
        raise DomainError(_("The division belongs to another organization."), field="division")
    now = timezone.now()
    with scope(organization=organization):
        if Membership.objects.filter(organization=organization, user__email=email).exists():
            # Only members see this, and they can read the member list anyway.
            raise DomainError(_("This person is already a member."), field="email")
        Invitation.objects.filter(
            organization=organization, email=email, accepted_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        roles=roles,
        job_title=job_title.strip(),
        division=division,
        token_digest=_digest(secret),
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
        invited_by=actor,
    )
    audit_record(actor=actor, action="arusha.invitation.sent", obj=invitation, organization=organization)
    existing = User.objects.filter(email=email).first()
    language = existing.preferred_language if existing else organization.default_language
    url = site_url.rstrip("/") + reverse("invitation-accept", kwargs={"token": secret})
    _invitation_mail(invitation, url, language)
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The open invitation behind a link's secret, or None (unknown, used, withdrawn or expired)."""
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("organization", "division", "invited_by")
            .filter(token_digest=_digest(token))
            .first()
        )
    return invitation if invitation is not None and invitation.is_open() else None


def _join(invitation: Invitation, user: User) -> Membership:
    inviter = invitation.invited_by
    try:
        # The inviter must still be allowed to add members when the person accepts.
        authorize_in(inviter, Permission.MEMBERS, invitation.organization)
        if inviter is None:
            raise PermissionDenied
    except (Http404, PermissionDenied) as exc:
        raise DomainError(_("This invitation is no longer valid. Ask for a new one.")) from exc
    with scope(organization=invitation.organization):
        membership = core_services.membership_create(
            actor=inviter,
            organization=invitation.organization,
            user=user,
            roles=invitation.roles,
            job_title=invitation.job_title,
            division=invitation.division,
        )
    with scopes_disabled():
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now(), accepted_by=user)
    audit_record(
        actor=user, action="arusha.invitation.accepted", obj=invitation, organization=invitation.organization
    )
    return membership


@transaction.atomic
def invitation_accept(*, actor: User, invitation: Invitation) -> Membership:
    """The invited person, signed in with the invited address, joins the organization."""
    if actor.email.lower() != invitation.email or not invitation.is_open():
        raise DomainError(_("This invitation is for another e-mail address."))
    return _join(invitation, actor)


@transaction.atomic
def invitation_accept_new(*, invitation: Invitation, full_name: str, password: str) -> Membership:
    """A person without an account accepts: the account is opened with the password they chose.

    The link reached their mailbox, which is the proof that the address is theirs.
    """
    if not invitation.is_open():
        raise DomainError(_("This invitation has expired or was already used."))
    if User.objects.filter(email=invitation.email).exists():
        raise DomainError(_("Sign in to accept this invitation."))
    if not full_name.strip():
        raise DomainError(_("Give your full name."), field="full_name")
    candidate = User(email=invitation.email, full_name=full_name.strip())
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password1") from exc
    user = core_services.user_create(
        email=invitation.email,
        full_name=full_name.strip(),
        password=password,
        preferred_language=invitation.organization.default_language,
    )
    return _join(invitation, user)
