"""The station API and the online survey's endpoints: JSON in, JSON out, never a server error on bad input.

Stations authenticate with `Authorization: Bearer <token>` (the token their enrolment
gave them; arusha.surveys.services.stations). Every refusal is JSON with a stable code
and a sentence: 400 malformed, 401 no or unknown token, 403 a spent code or
invitation, 404 a wave the station does not collect, 413 too large, 503 the database
failed (send again: nothing was kept).

Envelopes are stored by `ingest` inside `transaction.atomic()`, and the reply is made
after that block: a receipt saying "stored" always means committed. What is stored is
the wave, the bytes and the day; never the station, the address or the time.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scopes_disabled

from arusha.surveys.keys import MAX_ENVELOPE_BYTES
from arusha.surveys.models import Station, Wave
from arusha.surveys.package import package_of
from arusha.surveys.services.ingest import Incoming, Outcome, Receipt, held, ingest
from arusha.surveys.services.invitations import InvitationError, invitation_required, invitation_spend
from arusha.surveys.services.stations import station_enrol, station_of_token, station_waves
from arusha.surveys.views.station_privacy import json_error, station_public
from arusha.surveys.views.station_views import open_wave

# Envelopes per request (stations send 50) and pairs per verification.
MAX_ENVELOPES = 100
MAX_PAIRS = 1000
# Room for MAX_ENVELOPES envelopes in base64 with their IDs and digests.
MAX_BODY = MAX_ENVELOPES * (MAX_ENVELOPE_BYTES * 4 // 3 + 256) + 4096
MAX_SMALL_BODY = 64 * 1024
_B64_LIMIT = MAX_ENVELOPE_BYTES * 4 // 3 + 8


class RequestRefusedError(Exception):
    """What is wrong with a request, in words for its sender."""

    def __init__(self, message: str, *, status: int = 400, code: str = "bad_request") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def _read_json(request: HttpRequest, limit: int) -> Any:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise RequestRefusedError(_("The request's length is not a number.")) from None
    too_large = RequestRefusedError(
        _("The request is larger than %(mb).1f MB: send fewer envelopes at once.") % {"mb": limit / 1e6},
        status=413,
        code="too_large",
    )
    if length > limit:
        raise too_large
    try:
        raw = request.read(limit + 1)
    except (RawPostDataException, OSError, ValueError):
        raise RequestRefusedError(_("The request's body cannot be read.")) from None
    if len(raw) > limit:
        raise too_large
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise RequestRefusedError(_("The request's body is not JSON.")) from None


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise RequestRefusedError(_("The request's body must be a JSON object."))
    return data


def _uuid(value: Any, position: int) -> uuid.UUID:
    if isinstance(value, str) and len(value) <= 64:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise RequestRefusedError(_("Entry %(n)d: “response_id” is not a UUID.") % {"n": position})


def _digest(value: Any, position: int) -> str:
    if not isinstance(value, str) or len(value) > 128:
        raise RequestRefusedError(
            _("Entry %(n)d: “digest” is not a SHA-256 in hexadecimal.") % {"n": position}
        )
    return value


def _entries(data: dict[str, Any], key: str, most: int) -> list[dict[str, Any]]:
    entries = data.get(key)
    if not isinstance(entries, list):
        raise RequestRefusedError(_("“%(key)s” must be a list.") % {"key": key})
    if len(entries) > most:
        raise RequestRefusedError(
            _("At most %(most)d entries in “%(key)s” at once.") % {"most": most, "key": key},
            status=413,
            code="too_large",
        )
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise RequestRefusedError(_("Entry %(n)d is not a JSON object.") % {"n": position})
    return entries


def incoming_of(entry: dict[str, Any], position: int) -> Incoming:
    """One envelope of a request: its ID, its SHA-256 and its bytes (base64)."""
    response_id = _uuid(entry.get("response_id"), position)
    digest = _digest(entry.get("digest"), position)
    text = entry.get("ciphertext")
    if not isinstance(text, str) or len(text) > _B64_LIMIT:
        raise RequestRefusedError(
            _("Entry %(n)d: “ciphertext” must be base64 of at most %(kb)d KB.")
            % {"n": position, "kb": MAX_ENVELOPE_BYTES // 1024}
        )
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RequestRefusedError(_("Entry %(n)d: “ciphertext” is not base64.") % {"n": position}) from None
    return Incoming(response_id=response_id, ciphertext=data, digest=digest)


def _wave_id(data: dict[str, Any]) -> int:
    wave = data.get("wave")
    if isinstance(wave, bool) or not isinstance(wave, int) or not 0 < wave < 2**31:
        raise RequestRefusedError(_("“wave” must be the wave's number (an integer)."))
    return wave


def _receipts(receipts: list[Receipt]) -> list[dict[str, str]]:
    return [{"response_id": str(r.response_id), "outcome": str(r.outcome)} for r in receipts]


def _unavailable() -> JsonResponse:
    return json_error(
        503, "unavailable", _("The server could not store this now. Nothing was kept: send it again later.")
    )


# --- Stations ----------------------------------------------------------------------------------


def _station(request: HttpRequest) -> Station:
    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    scheme, _space, token = header.partition(" ")
    station = station_of_token(token.strip()) if scheme.lower() == "bearer" else None
    if station is None:
        raise RequestRefusedError(
            _("This station is not enrolled, or it was retired. Enrol it again."),
            status=401,
            code="unauthorized",
        )
    return station


def _station_wave(station: Station, pk: int) -> Wave:
    with scopes_disabled():
        wave = (
            station.waves.select_related("survey", "questionnaire")
            .filter(pk=pk)
            .exclude(public_key="")
            .first()
        )
    if wave is None:
        raise RequestRefusedError(_("This station does not collect that wave."), status=404, code="not_found")
    return wave


def _api(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn RequestRefusedError into its JSON answer."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RequestRefusedError as refusal:
            response = json_error(refusal.status, refusal.code, refusal.message)
            if refusal.status == 401:
                response["WWW-Authenticate"] = "Bearer"
            return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@station_public(api=True)
@require_POST
@_api
def api_enrol(request: HttpRequest) -> HttpResponse:
    """{"code"} -> {"token", "station", "organization"}; the code is spent."""
    data = _object(_read_json(request, MAX_SMALL_BODY))
    code = data.get("code")
    if not isinstance(code, str) or not code:
        raise RequestRefusedError(_("“code” must be the enrolment code from the QR code."))
    enrolment = station_enrol(code.strip())
    if enrolment is None:
        return json_error(
            403,
            "code_refused",
            _("This enrolment code was already used, has expired or is not known. Make a new one."),
        )
    station = enrolment.station
    return JsonResponse(
        {"token": enrolment.token, "station": station.name, "organization": station.organization.name}
    )


@station_public(api=True)
@require_GET
@_api
def api_manifest(request: HttpRequest) -> HttpResponse:
    """The station's waves, each with its package's address and checksum."""
    station = _station(request)
    waves = []
    for wave in station_waves(station):
        if not wave.public_key:
            continue  # never opened: no key, nothing to collect yet
        waves.append(
            {
                "id": wave.pk,
                "name": wave.name,
                "number": wave.number,
                "survey": wave.survey.title,
                "status": wave.status,
                "package": reverse("station-api-package", kwargs={"wave": wave.pk}),
                "checksum": package_of(wave).checksum,
            }
        )
    return JsonResponse({"station": station.name, "organization": station.organization.name, "waves": waves})


@station_public(api=True)
@require_GET
@_api
def api_package(request: HttpRequest, wave: int) -> HttpResponse:
    """The wave's package: the exact bytes whose SHA-256 the manifest gives."""
    found = _station_wave(_station(request), wave)
    package = package_of(found)
    response = HttpResponse(package.data, content_type="application/json")
    response["X-Checksum-SHA256"] = package.checksum
    return response


@station_public(api=True)
@require_POST
@_api
def api_envelopes(request: HttpRequest) -> HttpResponse:
    """{"wave", "envelopes": [{"response_id", "digest", "ciphertext"}]} -> {"receipts": [...]}.

    The receipts are sent after the commit.
    """
    station = _station(request)
    data = _object(_read_json(request, MAX_BODY))
    wave = _station_wave(station, _wave_id(data))
    batch = [incoming_of(entry, n) for n, entry in enumerate(_entries(data, "envelopes", MAX_ENVELOPES), 1)]
    try:
        with transaction.atomic():
            receipts = ingest(wave, batch, source="station")
    except DatabaseError:
        return _unavailable()
    # Committed: only now may the station mark these as sent.
    return JsonResponse({"receipts": _receipts(receipts)})


@station_public(api=True)
@require_POST
@_api
def api_verify(request: HttpRequest) -> HttpResponse:
    """{"wave", "pairs": [{"response_id", "digest"}]} -> {"held": {id: true|false}}."""
    station = _station(request)
    data = _object(_read_json(request, MAX_BODY))
    wave = _station_wave(station, _wave_id(data))
    pairs = [
        (_uuid(entry.get("response_id"), n), _digest(entry.get("digest"), n))
        for n, entry in enumerate(_entries(data, "pairs", MAX_PAIRS), 1)
    ]
    answer = held(wave, pairs)
    return JsonResponse({"held": {str(response_id): value for response_id, value in answer.items()}})


# --- The online survey ---------------------------------------------------------------------------


@station_public(api=True)
@require_GET
def online_package(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """The package of an open wave, for the online survey (no token: it holds only the questionnaire)."""
    package = package_of(open_wave(request, wave))
    return HttpResponse(package.data, content_type="application/json")


@station_public(api=True)
@require_POST
@_api
def online_submit(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """{"envelope": {...}, "invitation": "<token>"?} -> {"receipt": {...}}, after commit.

    An invitation is spent in the same transaction, only when the response is new (a
    re-send of the same bytes is a duplicate and spends nothing). Nothing links them.
    """
    found = open_wave(request, wave, collecting=False)
    data = _object(_read_json(request, MAX_SMALL_BODY * 2))
    entry = data.get("envelope")
    if not isinstance(entry, dict):
        raise RequestRefusedError(_("“envelope” must be a JSON object."))
    incoming = incoming_of(entry, 1)
    token = data.get("invitation") or ""
    if not isinstance(token, str):
        raise RequestRefusedError(_("“invitation” must be the invitation's text."))
    required = invitation_required(found)
    if required and not token:
        return json_error(403, "invitation_needed", _("This survey is answered by invitation only."))
    try:
        with transaction.atomic():
            receipt = ingest(found, [incoming], source="online")[0]
            if required and receipt.outcome in (Outcome.STORED, Outcome.CONFLICT):
                # Raises, and so undoes the storing, when the invitation is already spent.
                invitation_spend(found, token)
    except InvitationError as refused:
        return json_error(403, "invitation_used", str(refused.message))
    except DatabaseError:
        return _unavailable()
    return JsonResponse({"receipt": _receipts([receipt])[0]})
