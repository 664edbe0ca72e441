"""Staff screens of collection: survey stations (add, enrol by QR code, retire) and invitations.

An enrolment code and invitation tokens are shown once, in the answer to the POST that
made them (never stored, never in an address, never cached: `no-store`). Reloading that
answer does not make them again: the station form carries a creation key, and an
invitation list is only downloadable by sending back the tokens the page holds.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import qrcode  # type: ignore[import-untyped]  # qrcode ships no type hints
import qrcode.image.svg  # type: ignore[import-untyped]
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arusha.core.errors import DomainError
from arusha.core.form_pages import attach_error, submit
from arusha.core.policies import member, on_object
from arusha.core.requests import object_of, organization_of, user_of
from arusha.core.spreadsheets import csv_safe
from arusha.surveys.access import COLLECT
from arusha.surveys.models import Station, StationStatus, Wave, WaveStatus
from arusha.surveys.services.invitations import (
    batch_name,
    batches_of,
    invitation_required,
    invitations_create,
    invitations_known,
)
from arusha.surveys.services.stations import (
    EnrolmentCode,
    station_create,
    station_new_code,
    station_retire,
    station_waves,
    stations_of,
    waves_to_collect,
)
from arusha.surveys.station_forms import InvitationCsvForm, InvitationForm, StationActionForm, StationForm
from arusha.surveys.views.base import can_of, on_wave, wave_of

on_station = on_object("station", Station, "edit")


def _secret(response: HttpResponse) -> HttpResponse:
    """An answer that shows a one-time secret: no browser or proxy may keep it."""
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    return response


def qr_svg(text: str) -> SafeString:
    """`text` as an inline SVG QR code (made here: nothing leaves the server)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = str(image.to_string(encoding="unicode"))
    head, rest = svg.split(">", 1)
    # A fixed size in pixels (qrcode writes millimetres), and a name for screen readers.
    head = re.sub(r'\s(width|height)="[^"]*"', r' \1="320"', head)
    svg = head.replace("<svg ", '<svg class="qr" role="img" aria-label="QR" ', 1) + ">" + rest
    return mark_safe(svg)  # noqa: S308 - made by qrcode from our own URL, not from input


def enrol_url(request: HttpRequest, code: str) -> str:
    # The code travels in the fragment: browsers never send it to a server or a log.
    return request.build_absolute_uri(reverse("station-app")) + "#enrol=" + code


def _code_page(request: HttpRequest, fresh: EnrolmentCode) -> HttpResponse:
    url = enrol_url(request, fresh.code)
    context = {
        "station": fresh.station,
        "waves": station_waves(fresh.station),
        "qr": qr_svg(url),
        "url": url,
        "until": fresh.until,
    }
    return _secret(render(request, "surveys/stations/station_code.html", context))


# --- Stations -----------------------------------------------------------------------------------


@member(COLLECT)
@require_GET
def station_list(request: HttpRequest, organization: str) -> HttpResponse:
    org = organization_of(request)
    return render(
        request,
        "surveys/stations/station_list.html",
        {"stations": stations_of(org), "may_add": bool(waves_to_collect(org))},
    )


@member(COLLECT)
@require_http_methods(["GET", "POST"])
def station_add(request: HttpRequest, organization: str) -> HttpResponse:
    org, user = organization_of(request), user_of(request)
    form = StationForm(request.POST or None, waves=waves_to_collect(org))
    if request.method == "POST":
        made: dict[str, EnrolmentCode] = {}

        def save(data: dict[str, Any]) -> Station:
            fresh = station_create(actor=user, organization=org, name=data["name"], waves=data["waves"])
            made["fresh"] = fresh
            return fresh.station

        saved = submit(request, form, save)
        if saved is not None:
            if "fresh" in made:
                return _code_page(request, made["fresh"])
            # The same form sent again: the station exists, its code was shown the first time.
            messages.info(request, _("This station was already added. Make a new enrolment code if needed."))
            return redirect("station-enrol", org.slug, saved.value.pk)
    status = 400 if form.errors else 200
    return render(request, "surveys/stations/station_form.html", {"form": form}, status=status)


@on_station
@require_http_methods(["GET", "POST"])
def station_enrol(request: HttpRequest, organization: str, station: int) -> HttpResponse:
    found = object_of(request, "station", Station)
    form = StationActionForm(request.POST or None, initial={"version": found.version})
    if request.method == "POST" and form.is_valid():
        try:
            fresh = station_new_code(
                actor=user_of(request), station=found, version=form.cleaned_data.get("version")
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            return _code_page(request, fresh)
    return render(
        request,
        "surveys/stations/station_enrol.html",
        {
            "station": found,
            "waves": station_waves(found),
            "form": form,
            "retired": found.status == StationStatus.RETIRED,
        },
        status=400 if form.errors else 200,
    )


@on_station
@require_http_methods(["GET", "POST"])
def station_retire_view(request: HttpRequest, organization: str, station: int) -> HttpResponse:
    found = object_of(request, "station", Station)
    form = StationActionForm(request.POST or None, initial={"version": found.version})
    if request.method == "POST" and form.is_valid():
        try:
            station_retire(actor=user_of(request), station=found, version=form.cleaned_data.get("version"))
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The station %(name)s is retired.") % {"name": found.name})
            return redirect("station-list", organization_of(request).slug)
    return render(
        request,
        "surveys/stations/station_retire.html",
        {"station": found, "form": form},
        status=400 if form.errors else 200,
    )


# --- Invitations ------------------------------------------------------------------------------


def online_url(request: HttpRequest, wave: Wave) -> str:
    return request.build_absolute_uri(
        reverse("online-survey", kwargs={"organization": wave.survey.organization.slug, "wave": wave.pk})
    )


def _wave_page(request: HttpRequest, template: str, status: int = 200, **values: Any) -> HttpResponse:
    wave = wave_of(request)
    context = {"wave": wave, "survey": wave.survey, "can": can_of(request), **values}
    return render(request, f"surveys/stations/{template}.html", context, status=status)


@on_wave("manage")
@require_GET
def invitation_list(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    found = wave_of(request)
    return _wave_page(
        request,
        "invitation_list",
        batches=batches_of(found),
        required=invitation_required(found),
        link=online_url(request, found) if found.status == WaveStatus.OPEN else "",
        closed=found.status == WaveStatus.CLOSED,
    )


@on_wave("manage")
@require_http_methods(["GET", "POST"])
def invitation_add(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    found = wave_of(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = form.cleaned_data.get("batch") or ""
        try:
            tokens = invitations_create(
                actor=user_of(request), wave=found, count=form.cleaned_data["count"], batch=batch
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            base = online_url(request, found)
            name = batch_name(batch)
            return _secret(
                _wave_page(
                    request,
                    "invitation_made",
                    links=[f"{base}?t={token}" for token in tokens],
                    csv_form=InvitationCsvForm(initial={"batch": name, "tokens": "\n".join(tokens)}),
                    batch=name,
                )
            )
    return _wave_page(request, "invitation_form", status=400 if form.errors else 200, form=form)


@on_wave("manage")
@require_POST
def invitation_csv(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    found = wave_of(request)
    form = InvitationCsvForm(request.POST)
    if not form.is_valid() or not invitations_known(found, form.cleaned_data["tokens"]):
        messages.error(request, _("This list of invitations cannot be downloaded: make a new batch."))
        return redirect("invitation-list", organization_of(request).slug, found.pk)
    base = online_url(request, found)
    batch = form.cleaned_data.get("batch") or ""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(_("batch")), csv_safe(_("link")), csv_safe(_("invitation"))])
    for token in form.cleaned_data["tokens"]:
        writer.writerow([csv_safe(batch), csv_safe(f"{base}?t={token}"), csv_safe(token)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"invitations-{found.pk}-{slugify(batch) or 'batch'}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return _secret(response)
