"""Keys and people of cases: the vault, a case's people, overrides, attestation, disclosure.

Views parse the request, build the person's `Keyring` and call one service
(arusha.cases.services.people); a locked vault or a missing key is a message with a
link to the vault page, never an error page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scopes_disabled

from arusha.cases import keys
from arusha.cases.access import CUSTODY
from arusha.cases.keys import Keyring
from arusha.cases.models import Assignment, Case, ConflictOverride, Disclosure, KeyPurpose
from arusha.cases.people_forms import (
    AssignForm,
    AttestForm,
    DisclosureDecideForm,
    DisclosureRequestForm,
    OverrideRequestForm,
    RelationshipForm,
    VaultCreateForm,
    VaultUnlockForm,
)
from arusha.cases.services import people
from arusha.core.errors import DomainError
from arusha.core.form_pages import act, attach_error, done, form_page, submit
from arusha.core.models import Relationship
from arusha.core.permissions import Permission
from arusha.core.policies import custom, member, on_object
from arusha.core.requests import notes_of, object_of
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user


def _case_staff_only(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """Supervisors, handlers and custodians; anyone else may not know the page exists."""
    notes = notes_of(request)
    if notes.organization is None or not people.may_hold_vault(notes.access):
        raise Http404


case_staff_only = custom("cases-staff", _case_staff_only)


def _case(request: HttpRequest) -> Case:
    return object_of(request, "case", Case)


def _people_url(case: Case) -> str:
    return reverse("case-people", args=[case.organization.slug, case.pk])


def _vault_url(request: HttpRequest, back: str | None = None) -> str:
    url = reverse("cases-vault", args=[_org(request).slug])
    return f"{url}?{urlencode({'next': back})}" if back else url


# --- Vault -------------------------------------------------------------------------------------


def _next(request: HttpRequest) -> str | None:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if (
        wanted
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
        and wanted.startswith("/")
    ):
        return wanted
    return None


@case_staff_only
@require_http_methods(["GET", "POST"])
def vault(request: HttpRequest, organization: str) -> HttpResponse:
    """Set up, unlock or lock the person's case vault."""
    org, user = _org(request), _user(request)
    existing = keys.vault_of(user, org)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    here = reverse("cases-vault", args=[org.slug])
    create_form = VaultCreateForm(request.POST if action == "create" else None) if existing is None else None
    unlock_form = (
        VaultUnlockForm(request.POST if action == "unlock" else None) if existing is not None else None
    )
    if action == "lock":
        response = redirect(here)
        keys.lock(request, response, org)
        messages.success(request, _("Your case vault is locked. Unlock it again with your passphrase."))
        return response
    if action == "create" and create_form is not None:
        saved = submit(
            request,
            create_form,
            lambda data: people.vault_set_up(
                user=user, organization=org, passphrase=data["passphrase"], again=data["again"]
            ),
        )
        if saved is not None:
            back = _next(request)
            target = f"{here}?{urlencode({'next': back})}" if back else here
            return done(
                request, saved.value, target, _("Your case vault is set up. Unlock it to work on cases.")
            )
    if action == "unlock" and unlock_form is not None and unlock_form.is_valid():
        try:
            found, private_key = people.vault_open(
                user=user, organization=org, passphrase=unlock_form.cleaned_data["passphrase"]
            )
        except DomainError as error:
            attach_error(unlock_form, error)
        else:
            response = redirect(_next(request) or here)
            keys.unlock(request, response, found, private_key)
            messages.success(request, _("Your case vault is unlocked until you lock it or sign out."))
            return response
    failed = request.method == "POST"
    context = {
        "vault": existing,
        "unlocked": keys.private_key_of(request, org) is not None,
        "create_form": create_form,
        "unlock_form": unlock_form,
        "next": _next(request) or "",
        "custodian": notes_of(request).access.has(CUSTODY),
    }
    return render(request, "cases/people/vault.html", context, status=400 if failed else 200)


# --- A case's people -----------------------------------------------------------------------------


def _people_page(
    request: HttpRequest,
    case: Case,
    *,
    assign_form: AssignForm | None = None,
    override_form: OverrideRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    org, user = _org(request), _user(request)
    keyring = Keyring.of(request, org)
    answers = notes_of(request).answers.get("case", {})
    supervise = bool(answers.get("supervise"))
    found = people.people_of(keyring, case)
    holds_key = keyring.holds(case)
    holds_identity = keyring.holds(case, KeyPurpose.IDENTITY)
    staff = people.case_staff(org) if supervise else []
    context = {
        "case": case,
        "ctab": "people",
        "people": found,
        "overrides": [(o, supervise and people.may_approve(user, o)) for o in found.overrides],
        "identity": _identity_rows(people.identity_of(keyring, case)),
        "unlocked": keyring.unlocked,
        "holds_key": holds_key,
        "holds_identity": holds_identity,
        "supervise": supervise,
        "may_request_disclosure": bool(answers.get("handle"))
        and holds_key
        and case.identity is not None
        and not holds_identity,
        "assign_form": assign_form or (AssignForm(staff=staff) if supervise else None),
        "override_form": override_form,
        "vault_url": _vault_url(request, _people_url(case)),
    }
    return render(request, "cases/people/case_people.html", context, status=status)


def _identity_rows(identity: dict[str, Any] | None) -> list[tuple[str, str]]:
    if not identity:
        return []
    labels = {"name": _("Name"), "contact": _("Contact"), "email": _("E-mail"), "phone": _("Telephone")}
    return [(labels.get(str(key), str(key)), str(value)) for key, value in identity.items()]


@on_object("case", Case, "view")
@require_GET
def case_people(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    return _people_page(request, _case(request))


@on_object("case", Case, "supervise")
@require_POST
def case_assign(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, org = _case(request), _org(request)
    keyring = Keyring.of(request, org)
    staff = people.case_staff(org)
    form = AssignForm(request.POST, staff=staff)
    # Who was refused for a conflict: the override form asks for them (the error empties the field).
    refused: list[dict[str, Any]] = []

    def save(data: dict[str, Any]) -> Assignment:
        try:
            return people.assign(keyring=keyring, case=current, user=data["user"], role=data["role"])
        except people.ConflictsFound:
            refused.append({"user": data["user"].pk, "role": data["role"]})
            raise

    saved = submit(request, form, save)
    if saved is not None:
        return done(
            request,
            saved.value,
            _people_url(current),
            _(
                "%(name)s is assigned. "
                "They receive the case's key once they attest that they have no conflict."
            )
            % {"name": saved.value.user},
        )
    override_form = OverrideRequestForm(staff=staff, initial=refused[0]) if refused else None
    return _people_page(request, current, assign_form=form, override_form=override_form, status=400)


@on_object("case", Case, "supervise")
@require_POST
def case_override_request(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, org = _case(request), _org(request)
    keyring = Keyring.of(request, org)
    form = OverrideRequestForm(request.POST, staff=people.case_staff(org))
    saved = submit(
        request,
        form,
        lambda data: people.override_request(
            keyring=keyring,
            case=current,
            user=data["user"],
            role=data["role"],
            justification=data["justification"],
        ),
    )
    if saved is not None:
        return done(
            request,
            saved.value,
            _people_url(current),
            _("The override waits for the approval of two other supervisors."),
        )
    return _people_page(request, current, override_form=form, status=400)


def _override(case: Case, pk: int) -> ConflictOverride:
    with scopes_disabled():
        found = ConflictOverride.objects.filter(case=case, pk=pk).select_related("case", "user").first()
    if found is None:
        raise Http404
    return found


@on_object("case", Case, "supervise")
@require_POST
def case_override_approve(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = _case(request)
    override = _override(current, pk)
    try:
        override = people.override_approve(actor=_user(request), override=override)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_people_url(current))
    if override.approved_at is None:
        messages.success(request, _("Your approval is recorded. A second supervisor must approve too."))
        return redirect(_people_url(current))
    try:
        people.assign(
            keyring=Keyring.of(request, _org(request)), case=current, user=override.user, role=override.role
        )
    except DomainError as error:
        messages.error(
            request,
            _(
                "The override is approved, but the assignment could not be made now: %(problem)s "
                "A supervisor who holds the case's key can assign the person again from this page."
            )
            % {"problem": error.message},
        )
    else:
        messages.success(
            request,
            _("The override is approved and %(name)s is assigned. They receive the key once they attest.")
            % {"name": override.user},
        )
    return redirect(_people_url(current))


@on_object("case", Case, "supervise")
@require_POST
def case_override_refuse(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = _case(request)
    return act(
        request,
        lambda: people.override_refuse(actor=_user(request), override=_override(current, pk)),
        _("The override is refused: nobody is assigned."),
        _people_url(current),
    )


def _assignment(case: Case, pk: int) -> Assignment:
    with scopes_disabled():
        found = (
            Assignment.objects.filter(case=case, pk=pk, ended_at__isnull=True)
            .select_related("case", "user", "assigned_by")
            .first()
        )
    if found is None:
        raise Http404
    return found


@on_object("case", Case, "view")
@require_http_methods(["GET", "POST"])
def case_attest(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    """The assignee attests that they have no conflict; only then do they receive the key."""
    current = _case(request)
    assignment = _assignment(current, pk)
    if assignment.user_id != _user(request).pk:
        raise Http404
    keyring = Keyring.of(request, _org(request))
    return form_page(
        request,
        AttestForm(request.POST or None),
        lambda data: people.attest(
            keyring=keyring,
            assignment=assignment,
            no_conflict=bool(data["no_conflict"]),
            statement=data["statement"] or "",
        ),
        success=_people_url(current),
        message=_("You attested that you have no conflict: you now hold the case's key."),
        template="cases/people/attest.html",
        context={
            "case": current,
            "ctab": "people",
            "assignment": assignment,
            "unlocked": keyring.unlocked,
            "vault_url": _vault_url(request, request.path),
        },
    )


@on_object("case", Case, "supervise")
@require_POST
def case_assignment_end(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = _case(request)
    assignment = _assignment(current, pk)
    return act(
        request,
        lambda: people.assignment_end(actor=_user(request), assignment=assignment),
        _("%(name)s no longer works on the case and holds none of its keys.") % {"name": assignment.user},
        _people_url(current),
    )


# --- Disclosure of the reporter's identity -----------------------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def case_disclosure_request(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = _case(request)
    keyring = Keyring.of(request, _org(request))
    return form_page(
        request,
        DisclosureRequestForm(request.POST or None),
        lambda data: people.disclosure_request(keyring=keyring, case=current, motivation=data["motivation"]),
        success=_people_url(current),
        message=_(
            "Your request is sent to the identity custodians. You will see their decision on this page."
        ),
        template="cases/people/disclosure_request.html",
        context={
            "case": current,
            "ctab": "people",
            "unlocked": keyring.unlocked,
            "holds_key": keyring.holds(current),
            "vault_url": _vault_url(request, request.path),
        },
    )


@member(CUSTODY)
@require_GET
def disclosure_list(request: HttpRequest, organization: str) -> HttpResponse:
    keyring = Keyring.of(request, _org(request))
    rows = people.disclosures_for_custodian(keyring)
    return render(
        request,
        "cases/people/disclosure_list.html",
        {
            "rows": rows,
            "unlocked": keyring.unlocked,
            "vault_url": _vault_url(request, request.path),
        },
    )


@member(CUSTODY)
@require_POST
def disclosure_decide(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org = _org(request)
    with scopes_disabled():
        disclosure = (
            Disclosure.objects.filter(case__organization=org, pk=pk)
            .select_related("case", "requested_by")
            .first()
        )
    if disclosure is None:
        raise Http404
    form = DisclosureDecideForm(request.POST)
    back = reverse("disclosure-list", args=[org.slug])
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to refuse the request."))
        return redirect(back)
    approve = form.cleaned_data["decision"] == "approve"
    return act(
        request,
        lambda: people.disclosure_decide(
            keyring=Keyring.of(request, org), disclosure=disclosure, approve=approve
        ),
        _("The request is approved: %(name)s now holds the key to the reporter's identity.")
        % {"name": disclosure.requested_by}
        if approve
        else _("The request is refused: nothing was disclosed."),
        back,
    )


# --- Declared relationships ------------------------------------------------------------------------


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def relationship_list(request: HttpRequest, organization: str) -> HttpResponse:
    """A member declares their relationships with other members; arm's-length rules use them."""
    org, user = _org(request), _user(request)
    here = reverse("relationship-list", args=[org.slug])
    return form_page(
        request,
        RelationshipForm(request.POST or None, organization=org, me=notes_of(request).membership),
        lambda data: people.relationship_declare(
            actor=user, organization=org, other=data["other"], kind=data["kind"]
        ),
        success=here,
        message=_("The relationship is declared."),
        template="cases/people/relationships.html",
        context={"relationships": people.relationships_of(user, org)},
    )


@member(Permission.VIEW)
@require_POST
def relationship_end(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org = _org(request)
    with scopes_disabled():
        relationship = Relationship.objects.filter(organization=org, pk=pk).first()
    if relationship is None:
        raise Http404
    return act(
        request,
        lambda: people.relationship_end(actor=_user(request), relationship=relationship),
        _("The relationship is recorded as ended."),
        reverse("relationship-list", args=[org.slug]),
    )
