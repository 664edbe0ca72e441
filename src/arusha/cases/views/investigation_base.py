"""What the investigation and referral screens share: the case, the keyring, pages and forms.

Every page that shows or takes content builds the person's keyring; when their vault is
locked or they hold no key to the case, the page says so (with a link to the vault)
instead of showing content, and a form sent anyway is refused with the same message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from arusha.cases.keys import Keyring, NoKey, VaultLocked
from arusha.cases.models import Case
from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.requests import notes_of, object_of, organization_of

Shown = list[tuple[str, str]]
"""What a form's page shows above it, as (label, text)."""


def case_of(request: HttpRequest) -> Case:
    return object_of(request, "case", Case)


def keyring_of(request: HttpRequest) -> Keyring:
    return Keyring.of(request, organization_of(request))


def url_of(case: Case, name: str = "case-investigation", **kwargs: Any) -> str:
    return reverse(name, kwargs={"organization": case.organization.slug, "case": case.pk, **kwargs})


def back_to(case: Case, anchor: str) -> str:
    """The part of the investigation page named `anchor`."""
    return f"{url_of(case)}#{anchor}"


def page(request: HttpRequest, template: str, case: Case, status: int = 200, **context: Any) -> HttpResponse:
    can: dict[str, bool] = notes_of(request).answers.get("case", {})
    return render(
        request,
        f"cases/investigation/{template}.html",
        {"case": case, "can": can, "tab": "investigation", **context},
        status=status,
    )


def locked_page(
    request: HttpRequest, case: Case, error: DomainError, heading: str, anchor: str
) -> HttpResponse:
    """The page a form would be on, saying why the person cannot read or write content now."""
    return page(
        request, "form", case, heading=heading, locked=str(error.message), back_url=back_to(case, anchor)
    )


@dataclass(frozen=True)
class Words:
    """What a form's page says: its heading, its button, and the message once saved."""

    heading: str
    submit: str
    message: str


def form_screen(
    request: HttpRequest,
    case: Case,
    anchor: str,
    words: Words,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], object],
    *,
    theirs: Callable[[Any], dict[str, Any]] | None = None,
    **context: Any,
) -> HttpResponse:
    """A page with one form, going back to the part of the investigation page named `anchor`."""
    back = back_to(case, anchor)
    return form_page(
        request,
        form,
        save,
        success=back,
        message=words.message,
        page=lambda status: page(
            request,
            "form",
            case,
            status=status,
            form=form,
            heading=words.heading,
            submit=words.submit,
            back_url=back,
            **context,
        ),
        theirs=theirs,
    )


def sealed_form_screen(
    request: HttpRequest,
    case: Case,
    anchor: str,
    words: Words,
    build: Callable[[], tuple[forms.BaseForm, Shown]],
    save: Callable[[dict[str, Any]], object],
    *,
    theirs: Callable[[Any], dict[str, Any]] | None = None,
    multipart: bool = False,
) -> HttpResponse:
    """A form over the case's sealed content (see `form_screen`).

    `build` opens what the form needs with the person's keyring and returns the form with
    what the page shows above it; when the vault is locked or the person holds no key,
    the page says so instead of showing the form.
    """
    try:
        form, shown = build()
    except (VaultLocked, NoKey) as error:
        return locked_page(request, case, error, words.heading, anchor)
    return form_screen(
        request, case, anchor, words, form, save, theirs=theirs, shown=shown, multipart=multipart
    )


def needs_key(
    keyring: Keyring, case: Case, make: Callable[[], forms.BaseForm]
) -> Callable[[], tuple[forms.BaseForm, Shown]]:
    """A `build` for a form that opens nothing but writes content: the form, once the key opens the case."""

    def build() -> tuple[forms.BaseForm, Shown]:
        keyring.key(case)
        return make(), []

    return build


def posted_version(request: HttpRequest) -> int | None:
    try:
        value = int(str(request.POST.get("version", "")))
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None


def short(text: str, length: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type or "application/octet-stream")
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:100] or "file"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
