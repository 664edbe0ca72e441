"""Screens of the core context: thin wrappers around services and selectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from arusha.core import selectors, services
from arusha.core.errors import DomainError
from arusha.core.forms import (
    AttachmentForm,
    CommentForm,
    DivisionForm,
    MembershipAddForm,
    MembershipEditForm,
    OrganizationForm,
    PreferencesForm,
)
from arusha.core.home import home_sections
from arusha.core.listing import csv_response, paginate
from arusha.core.models import LANGUAGE_CHOICES, Organization
from arusha.core.policies import authenticated, member, public
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user
from arusha.core.roles import Permission
from arusha.core.targets import target_get, target_kind


def attach_error(form: forms.BaseForm, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


# --- Signing in, language ---------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The person's own language wins from now on, on every device they sign in from.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, form.get_user().preferred_language, samesite="Lax", httponly=True
        )
        return response


login_view = public(LoginView.as_view())
logout_view = public(auth_views.LogoutView.as_view())
password_reset = public(auth_views.PasswordResetView.as_view())
password_reset_done = public(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = public(auth_views.PasswordResetConfirmView.as_view())
password_reset_complete = public(auth_views.PasswordResetCompleteView.as_view())


@public
@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Switch the interface language; a signed-in person keeps it as their preference."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(LANGUAGE_CHOICES):
        user = _user(request)
        services.user_update_preferences(
            actor=user, user=user, full_name=user.full_name, preferred_language=language
        )
    return django_set_language(request)


# --- Home, account, notifications --------------------------------------------------


@authenticated
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {"memberships": selectors.memberships_of(user), "sections": home_sections(user)}
    return render(request, "core/home.html", context)


@authenticated
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PreferencesForm(
        request.POST or None,
        initial={"full_name": user.full_name, "preferred_language": user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_preferences(actor=user, user=user, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Your preferences are saved."))
            response = redirect("preferences")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.preferred_language, samesite="Lax", httponly=True
            )
            return response
    return render(request, "core/preferences.html", {"form": form})


@authenticated
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        services.notification_mark_read(recipient=user)
        messages.success(request, _("All notifications are marked as read."))
        return redirect("notifications")
    page = paginate(request, selectors.notification_list(user))
    return render(request, "core/notifications.html", {"page": page})


# --- Organization -------------------------------------------------------------------


@member(Permission.VIEW)
def organization_home(request: HttpRequest, organization: str) -> HttpResponse:
    org = _org(request)
    context = {
        "tree": selectors.division_tree(org),
        "member_count": selectors.membership_list(org).filter(is_active=True).count(),
    }
    return render(request, "core/organization_home.html", context)


@member(Permission.MANAGE)
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, organization: str) -> HttpResponse:
    org = _org(request)
    form = OrganizationForm(
        request.POST or None,
        initial={"name": org.name, "country": org.country, "default_language": org.default_language},
    )
    if request.method == "POST" and form.is_valid():
        services.organization_update(actor=_user(request), organization=org, **form.cleaned_data)
        messages.success(request, _("The organization is saved."))
        return redirect("organization-home", organization=org.slug)
    return render(request, "core/organization_form.html", {"form": form})


# --- Divisions ----------------------------------------------------------------------


@member(Permission.VIEW)
def division_list(request: HttpRequest, organization: str) -> HttpResponseBase:
    org = _org(request)
    tree = selectors.division_tree(org)
    if request.GET.get("format") == "csv":
        rows = (
            [d.name, d.code, d.parent.name if d.parent else "", getattr(d, "member_count", 0), depth]
            for d, depth in tree
        )
        return csv_response(
            f"{org.slug}-divisions.csv", [_("Name"), _("Code"), _("Parent"), _("Members"), _("Depth")], rows
        )
    return render(request, "core/division_list.html", {"tree": tree})


@member(Permission.MANAGE)
@require_http_methods(["GET", "POST"])
def division_create(request: HttpRequest, organization: str) -> HttpResponse:
    org = _org(request)
    form = DivisionForm(request.POST or None, organization=org, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        try:
            division = services.division_create(actor=_user(request), organization=org, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The division “%(name)s” is created.") % {"name": division.name})
            return redirect("division-detail", organization=org.slug, pk=division.pk)
    return render(request, "core/division_form.html", {"form": form, "division": None})


@member(Permission.MANAGE)
@require_http_methods(["GET", "POST"])
def division_edit(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org = _org(request)
    division = selectors.division_get(org, pk)
    form = DivisionForm(
        request.POST or None,
        organization=org,
        initial={"name": division.name, "code": division.code, "parent": division.parent},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.division_update(actor=_user(request), division=division, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The division is saved."))
            return redirect("division-detail", organization=org.slug, pk=division.pk)
    return render(request, "core/division_form.html", {"form": form, "division": division})


@member(Permission.VIEW)
def division_detail(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org = _org(request)
    division = selectors.division_get(org, pk)
    context = {
        "division": division,
        "members": selectors.membership_list(org).filter(division=division),
        **_discussion_context(org, division),
    }
    return render(request, "core/division_detail.html", context)


# --- Members --------------------------------------------------------------------------


@member(Permission.VIEW)
def member_list(request: HttpRequest, organization: str) -> HttpResponseBase:
    org = _org(request)
    query = request.GET.get("q", "").strip()
    memberships = selectors.membership_list(org, query)
    if request.GET.get("format") == "csv":
        rows = (
            [
                m.user.full_name,
                m.user.email,
                "; ".join(m.role_labels()),
                m.job_title,
                m.division.name if m.division else "",
                _("yes") if m.is_active else _("no"),
            ]
            for m in memberships.iterator()
        )
        header = [_("Name"), _("E-mail address"), _("Roles"), _("Job title"), _("Division"), _("Active")]
        return csv_response(f"{org.slug}-members.csv", header, rows)
    page = paginate(request, memberships)
    template = "core/member_list.html#member-rows" if request.htmx else "core/member_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"page": page, "query": query})


@member(Permission.MANAGE)
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, organization: str) -> HttpResponse:
    org = _org(request)
    form = MembershipAddForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.membership_invite(
                actor=_user(request),
                organization=org,
                email=data["email"],
                full_name=data["full_name"],
                roles=data["roles"],
                job_title=data["job_title"],
                division=data["division"],
                login_url=request.build_absolute_uri(reverse("password_reset")),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("%(name)s is now a member.") % {"name": membership.user})
            return redirect("member-list", organization=org.slug)
    return render(request, "core/member_form.html", {"form": form, "membership": None})


@member(Permission.MANAGE)
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org = _org(request)
    membership = selectors.membership_get(org, pk)
    form = MembershipEditForm(
        request.POST or None,
        organization=org,
        initial={
            "roles": membership.roles,
            "job_title": membership.job_title,
            "division": membership.division,
            "is_active": membership.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(actor=_user(request), membership=membership, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The membership is saved."))
            return redirect("member-list", organization=org.slug)
    return render(request, "core/member_form.html", {"form": form, "membership": membership})


# --- Audit trail ------------------------------------------------------------------------


@member(Permission.VIEW_AUDIT)
def audit_list(request: HttpRequest, organization: str) -> HttpResponseBase:
    org = _org(request)
    events = selectors.audit_list(org)
    if request.GET.get("format") == "csv":
        from arusha.core.audit import sentence

        rows = (
            [e.at.isoformat(), e.actor_label, e.action, e.object_repr, sentence(e), e.changes]
            for e in events.iterator()
        )
        header = [_("When"), _("Who"), _("Action"), _("Object"), _("What happened"), _("Changes")]
        return csv_response(f"{org.slug}-audit.csv", header, rows)
    return render(request, "core/audit_list.html", {"page": paginate(request, events)})


@member(Permission.VIEW_AUDIT)
def object_history(request: HttpRequest, organization: str, kind: str, pk: int) -> HttpResponse:
    org = _org(request)
    target = target_get(org, kind, pk)
    page = paginate(request, selectors.object_history(org, target))
    return render(request, "core/object_history.html", {"target": target, "page": page})


# --- Comments and attachments ---------------------------------------------------------------


def _discussion_context(org: Organization, target: Any) -> dict[str, Any]:
    return {
        "target": target,
        "target_kind": target_kind(target),
        "comments": selectors.comments_on(org, target),
        "attachments": selectors.attachments_on(org, target),
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
    }


@member(Permission.COMMENT)
@require_POST
def comment_create(request: HttpRequest, organization: str, kind: str, pk: int) -> HttpResponse:
    org = _org(request)
    target = target_get(org, kind, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(actor=_user(request), organization=org, target=target, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
    context = _discussion_context(org, target)
    if form.errors:
        context["comment_form"] = form
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "core/_discussion.html#comments", context)
    _report_errors(request, form)
    return _back_to(request, target)


@member(Permission.COMMENT)
@require_POST
def attachment_upload(request: HttpRequest, organization: str, kind: str, pk: int) -> HttpResponse:
    org = _org(request)
    target = target_get(org, kind, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=_user(request), organization=org, target=target, upload=form.cleaned_data["file"]
            )
        except DomainError as error:
            attach_error(form, error)
    if not _report_errors(request, form):
        messages.success(request, _("The file is attached."))
    return _back_to(request, target)


def _report_errors(request: HttpRequest, form: forms.Form) -> bool:
    """Without htmx, a form posted from another page reports its errors as messages there."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
    return bool(form.errors)


@member(Permission.VIEW)
def attachment_download(request: HttpRequest, organization: str, pk: int) -> FileResponse:
    attachment = selectors.attachment_get(_org(request), pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


def _back_to(request: HttpRequest, target: Any) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(nxt)
    return redirect("organization-home", organization=_org(request).slug)


@authenticated
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """The person's API token: created or renewed (shown once), or revoked."""
    from rest_framework.authtoken.models import Token

    user = _user(request)
    key = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.api_token_revoke(actor=user)
            messages.success(request, _("Your API token is revoked."))
            return redirect("api-token")
        key = services.api_token_renew(actor=user)
    token = Token.objects.filter(user=user).first()
    return render(request, "core/api_token.html", {"key": key, "token": token})
