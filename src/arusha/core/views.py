"""Screens of the core context: thin wrappers around services and selectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from arusha.core import selectors, services
from arusha.core.errors import DomainError
from arusha.core.form_pages import attach_error as attach_error  # other contexts import it from here
from arusha.core.form_pages import form_page, submit
from arusha.core.forms import (
    AttachmentForm,
    CommentForm,
    DivisionForm,
    OrganizationForm,
    PreferencesForm,
    VersionedMembershipForm,
)
from arusha.core.home import home_page
from arusha.core.listing import csv_response, paginate
from arusha.core.models import LANGUAGE_CHOICES, Division, Membership, Organization
from arusha.core.permissions import Permission
from arusha.core.policies import authenticated, member, public
from arusha.core.requests import is_htmx
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user
from arusha.core.targets import attachment_target, target_get, target_kind

# --- Language ----------------------------------------------------------------------


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
    return render(request, "core/home.html", {"page": home_page(user)})


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
    initial = {
        "name": org.name,
        "country": org.country,
        "default_language": org.default_language,
        "paper_size": org.paper_size,
        "version": org.version,
    }
    return form_page(
        request,
        OrganizationForm(request.POST or None, initial=initial),
        lambda data: services.organization_update(actor=_user(request), organization=org, **data),
        success=reverse("organization-home", args=[org.slug]),
        message=_("The organization is saved."),
        template="core/organization_form.html",
    )


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
    return form_page(
        request,
        form,
        lambda data: services.division_create(actor=_user(request), organization=org, **data),
        success=lambda division: reverse("division-detail", args=[org.slug, division.pk]),
        message=lambda division: _("The division “%(name)s” is created.") % {"name": division.name},
        template="core/division_form.html",
        context={"division": None},
    )


def _division_values(division: Division) -> dict[str, Any]:
    return {
        "name": division.name,
        "code": division.code,
        "parent": division.parent,
        "version": division.version,
    }


@member(Permission.MANAGE)
@require_http_methods(["GET", "POST"])
def division_edit(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org = _org(request)
    division = selectors.division_get(org, pk)
    initial = _division_values(division)
    form = DivisionForm(request.POST or None, organization=org, editing=True, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.division_update(actor=_user(request), division=division, **data),
        success=reverse("division-detail", args=[org.slug, division.pk]),
        message=_("The division is saved."),
        template="core/division_form.html",
        context={"division": division},
        theirs=_division_values,
    )


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
    template = "core/member_list.html#member-rows" if is_htmx(request) else "core/member_list.html"
    return render(request, template, {"page": page, "query": query})


def _membership_values(membership: Membership) -> dict[str, Any]:
    return {
        "roles": membership.roles,
        "job_title": membership.job_title,
        "division": membership.division,
        "is_active": membership.is_active,
        "reports_to": membership.reports_to,
        "version": membership.version,
    }


@member(Permission.MEMBERS)
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org = _org(request)
    membership = selectors.membership_get(org, pk)
    initial = _membership_values(membership)
    form = VersionedMembershipForm(request.POST or None, organization=org, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.membership_update(actor=_user(request), membership=membership, **data),
        success=reverse("member-list", args=[org.slug]),
        message=_("The membership is saved."),
        template="core/member_form.html",
        context={"membership": membership},
        theirs=_membership_values,
    )


# --- Audit trail ------------------------------------------------------------------------


@member(Permission.VIEW_AUDIT)
def audit_list(request: HttpRequest, organization: str) -> HttpResponseBase:
    org = _org(request)
    events = selectors.audit_list(org)
    if request.GET.get("format") == "csv":
        from arusha.core.audit import sentence

        # Sensitive values never reach this file: they never entered the events
        # (arusha.core.audit). The sequence and hash let an auditor match each row with
        # the chain that `manage.py audit_verify` checks.
        rows = (
            [
                e.at.isoformat(),
                e.actor_label,
                e.action,
                e.object_repr,
                sentence(e),
                e.changes,
                e.sequence,
                e.hash,
            ]
            for e in events.iterator()
        )
        header = [
            _("When"),
            _("Who"),
            _("Action"),
            _("Object"),
            _("What happened"),
            _("Changes"),
            _("Sequence"),
            _("Hash"),
        ]
        return csv_response(f"{org.slug}-audit.csv", header, rows)
    return render(request, "core/audit_list.html", {"page": paginate(request, events)})


@member(Permission.VIEW_AUDIT)
def object_history(request: HttpRequest, organization: str, kind: str, pk: int) -> HttpResponse:
    org = _org(request)
    target = target_get(org, kind, pk, _user(request))
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
    target = target_get(org, kind, pk, _user(request))
    form = CommentForm(request.POST)
    # A double click or a retried request with the same form adds the comment once.
    submit(
        request,
        form,
        lambda data: services.comment_add(actor=_user(request), organization=org, target=target, **data),
    )
    context = _discussion_context(org, target)
    if form.errors:
        context["comment_form"] = form
    if is_htmx(request):
        return render(request, "core/_discussion.html#comments", context)
    _report_errors(request, form)
    return _back_to(request, target)


@member(Permission.COMMENT)
@require_POST
def attachment_upload(request: HttpRequest, organization: str, kind: str, pk: int) -> HttpResponse:
    org = _org(request)
    target = target_get(org, kind, pk, _user(request))
    form = AttachmentForm(request.POST, request.FILES)
    submit(
        request,
        form,
        lambda data: services.attachment_add(
            actor=_user(request), organization=org, target=target, upload=data["file"]
        ),
    )
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
    attachment_target(attachment, _user(request))
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


def _back_to(request: HttpRequest, target: Any) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(nxt)
    return redirect("organization-home", organization=_org(request).slug)
