"""One way to run a page with a form, for every context.

    return form_page(
        request,
        DivisionForm(request.POST or None, organization=org, initial=...),
        lambda data: services.division_update(actor=user, division=division, **data),
        success=lambda division: reverse("division-detail", args=[org.slug, division.pk]),
        message=_("The division is saved."),
        template="core/division_form.html",
        context={"division": division},
    )

On a POST the form is validated and the service runs. A DomainError lands on the field
it names (or above the form); a stale edit (arusha.core.concurrency.StaleEdit) keeps
what the person typed and shows "their version" beside it, with the form now carrying
the current version so that the next save, once compared, goes through. A form with a
creation key runs its service through `create_once`, so a second submit answers like
the first. PermissionDenied and Http404 pass through untouched: the access rules
answer them. Errors answer 400; success redirects with a message.

`submit()` is the same without the page, for views that hold several forms; `act()` runs
a one-button POST that has no form.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _

from arusha.core.concurrency import KEY_FIELD, VERSION_FIELD, StaleEdit, create_once
from arusha.core.errors import DomainError
from arusha.core.requests import user_of

T = TypeVar("T")


def attach_error(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's refusal on the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


@dataclass(frozen=True)
class Saved(Generic[T]):
    """What the service returned, when it ran without refusal."""

    value: T


@dataclass(frozen=True)
class Conflict:
    """The values saved meanwhile, as (label, text) where they differ from what was typed."""

    rows: list[tuple[str, str]]


def conflict_of(form: forms.BaseForm) -> Conflict | None:
    conflict: Conflict | None = getattr(form, "conflict", None)
    return conflict


def _choice_labels(choices: Any) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value, label in choices:
        if isinstance(label, list | tuple):  # a group of choices
            labels.update({str(v): str(lab) for v, lab in label})
        else:
            labels[str(value)] = str(label)
    return labels


def shown(field: forms.Field, value: Any) -> str:
    """A saved value as the person reads it: labels of choices, names of objects, dates localized."""
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(field, forms.ModelMultipleChoiceField):
        items = list(value)
        if items and not isinstance(items[0], models.Model):
            items = list(field.queryset.filter(pk__in=items))  # type: ignore[union-attr]
        return "; ".join(str(item) for item in items) or "—"
    if isinstance(field, forms.ModelChoiceField):
        if isinstance(value, models.Model):
            return str(value)
        found = field.queryset.filter(pk=value).first()  # type: ignore[union-attr]
        return str(found) if found is not None else str(value)
    if isinstance(field, forms.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, forms.ChoiceField):
        labels = _choice_labels(field.choices)
        if isinstance(value, list | tuple):
            return "; ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if isinstance(value, datetime.date | datetime.time | decimal.Decimal):
        return str(formats.localize(value))
    return str(value)


def their_version(form: forms.BaseForm, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The saved values of the form's visible fields that differ from what the person typed."""
    rows = []
    for name, field in form.fields.items():
        if field.widget.is_hidden or name not in values:
            continue
        try:
            changed = field.has_changed(values[name], form[name].data)
        except (ValidationError, TypeError, ValueError):
            changed = True
        if changed:
            rows.append((str(field.label or name), shown(field, values[name])))
    return rows


def _attributes(form: forms.BaseForm, obj: models.Model) -> dict[str, Any]:
    """The object's values for the fields that bear its attributes' names."""
    return {name: getattr(obj, name) for name in form.fields if hasattr(obj, name)}


def _show_conflict(
    form: forms.BaseForm, error: StaleEdit, theirs: Callable[[Any], Mapping[str, Any]] | None
) -> None:
    values = theirs(error.current) if theirs is not None else _attributes(form, error.current)
    setattr(form, "conflict", Conflict(their_version(form, values)))  # noqa: B010  # read by includes/form.html
    if VERSION_FIELD in form.fields and form.is_bound:
        # The person has now seen their version: saving again, after comparing, is meant.
        data = form.data.copy() if isinstance(form.data, QueryDict) else dict(form.data)
        data[form.add_prefix(VERSION_FIELD)] = str(error.version)
        form.data = data


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    theirs: Callable[[Any], Mapping[str, Any]] | None = None,
) -> Saved[T] | None:
    """Validate the form and run `save` with its cleaned data; None when something was refused.

    `theirs` gives the form's values for the object as saved now (the same function
    that fills the form on GET); without it, fields named as the object's attributes
    are compared.
    """
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    try:
        if KEY_FIELD in form.fields:
            key = str(data.pop(KEY_FIELD, "") or "")
            create = cast(Callable[[], models.Model], lambda: save(data))
            value, _created = create_once(key=key, actor=user_of(request), create=create)
            return Saved(cast(T, value))
        return Saved(save(data))
    except StaleEdit as error:
        attach_error(form, error)
        _show_conflict(form, error, theirs)
    except DomainError as error:
        attach_error(form, error)
    return None


def done(
    request: HttpRequest,
    value: T,
    success: str | Callable[[T], str],
    message: str | Callable[[T], str] | None,
) -> HttpResponse:
    """Say that it worked and go on to `success` (a URL, or a function of what was saved)."""
    if message is not None:
        messages.success(request, message(value) if callable(message) else message)
    return redirect(success(value) if callable(success) else success)


def act(request: HttpRequest, action: Callable[[], object], message: str, url: str) -> HttpResponse:
    """A one-button POST (no form): run the service, say how it went, go back to `url`."""
    try:
        action()
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, message)
    return redirect(url)


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    success: str | Callable[[T], str],
    message: str | Callable[[T], str] | None,
    template: str | None = None,
    context: Mapping[str, Any] | None = None,
    page: Callable[[int], HttpResponse] | None = None,
    theirs: Callable[[Any], Mapping[str, Any]] | None = None,
) -> HttpResponse:
    """A page with one form: GET shows it; a valid POST saves and redirects; errors answer 400.

    The page is `template` rendered with `form` and `context`, or `page(status)` when the
    view composes it itself (a form inside a larger page).
    """
    if request.method == "POST":
        saved = submit(request, form, save, theirs=theirs)
        if saved is not None:
            return done(request, saved.value, success, message)
    status = 400 if form.errors else 200
    if page is not None:
        return page(status)
    if template is None:
        raise ValueError("form_page needs a template or a page")
    return render(request, template, {"form": form, **(context or {})}, status=status)


def one_button(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    done: str | Callable[[T], str],
    url: str,
    page: Callable[[], HttpResponse],
    refused_url: str = "",
) -> HttpResponse:
    """A change with one button: GET shows `page`, which asks once; POST runs `action`, says
    how it went (`done`: a message, or a function of what the action returned) and goes on to
    `url`, or back to `refused_url` (else `url`) when the service refuses."""
    if request.method != "POST":
        return page()
    try:
        value = action()
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(refused_url or url)
    messages.success(request, done(value) if callable(done) else done)
    return redirect(url)
