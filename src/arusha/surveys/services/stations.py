"""Survey stations: tablets or laptops that collect a survey's waves offline.

A station is added by someone who collects responses (surveys.response.collect), for
some waves of their organization. It then gets a one-time enrolment code, valid for a
day, shown once as a QR code (`<server>/station/#enrol=<code>`); the tablet that
scans it trades the code for its own token. Only SHA-256 digests of the code and of
the token are stored: a copy of the database enrols nothing and authenticates nothing.

Spending the code is one conditional UPDATE (`… WHERE enrol_digest = <digest of the
code>`): of two tablets that send the same code at once, one enrols and the other is
refused, whatever the timing.

A station's token authenticates it to the station API (arusha.surveys.views.station_api)
until the station is retired. Nothing a station sends is linked to it: envelopes keep
their wave, their bytes and the day they arrived, never the station.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.core.access import authorize, authorize_in
from arusha.core.audit import audit_record
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.surveys.access import COLLECT, authorize_survey
from arusha.surveys.models import Station, StationStatus, Wave, WaveStatus

ENROL_LIFETIME = datetime.timedelta(hours=24)
# The longest token or code a request may carry (ours are 32 and 43 characters).
MAX_SECRET_LENGTH = 200


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class EnrolmentCode:
    """A fresh one-time code: shown once, never stored (only its digest is)."""

    station: Station
    code: str
    until: datetime.datetime


@dataclass(frozen=True)
class Enrolment:
    station: Station
    token: str


def _check_waves(actor: User | None, organization: Organization, waves: Iterable[Wave]) -> list[Wave]:
    chosen = list(waves)
    if not chosen:
        raise DomainError(_("Choose at least one wave for the station to collect."), field="waves")
    for wave in chosen:
        with scopes_disabled():
            survey = wave.survey
        if survey.organization_id != organization.pk:
            raise DomainError(_("Choose waves of your own organization's surveys."), field="waves")
        authorize_survey(actor, "collect", survey)
        if wave.status == WaveStatus.CLOSED:
            raise DomainError(
                _("The wave %(wave)s is closed: a station cannot collect it.") % {"wave": wave.name},
                field="waves",
            )
    return chosen


def _new_code(station: Station) -> EnrolmentCode:
    code = secrets.token_urlsafe(24)
    until = timezone.now() + ENROL_LIFETIME
    station.enrol_digest = secret_digest(code)
    station.enrol_until = until
    return EnrolmentCode(station=station, code=code, until=until)


def station_create(
    *, actor: User | None, organization: Organization, name: str, waves: Iterable[Wave]
) -> EnrolmentCode:
    """Add a station for `waves` and make its first enrolment code (returned once, never stored)."""
    authorize_in(actor, COLLECT, organization)
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the station a name, e.g. the tablet's label."), field="name")
    chosen = _check_waves(actor, organization, waves)
    with transaction.atomic(), scopes_disabled():
        station = Station(organization=organization, name=name[:100], created_by=actor)
        fresh = _new_code(station)
        station.save()
        station.waves.set(chosen)
        audit_record(
            actor=actor,
            action="arusha.surveys.station_created",
            obj=station,
            organization=organization,
            changes={"name": [None, station.name], "waves": [None, sorted(w.name for w in chosen)]},
        )
    return fresh


def station_new_code(*, actor: User | None, station: Station, version: int | None = None) -> EnrolmentCode:
    """A new one-time code for a station (the last one expired, or the tablet is replaced).

    The station's current token keeps working until the new code is used: enrolling
    then replaces it, so the replaced tablet is locked out.
    """
    authorize(actor, "edit", station)
    if station.status == StationStatus.RETIRED:
        raise DomainError(_("This station is retired: add a new one instead."))
    with transaction.atomic(), scopes_disabled():
        fresh = _new_code(station)
        save_versioned(station, version=version, fields=["enrol_digest", "enrol_until"])
        audit_record(
            actor=actor,
            action="arusha.surveys.station_code_made",
            obj=station,
            organization=station.organization,
            changes={"enrol_until": [None, fresh.until.isoformat(timespec="minutes")]},
        )
    return fresh


def station_enrol(code: str) -> Enrolment | None:
    """Trade a one-time code for the station's token; None when the code is unknown, spent or expired.

    Whoever holds the code is the station: the code is the authority (no person acts).
    """
    if not code or len(code) > MAX_SECRET_LENGTH:
        return None
    token = secrets.token_urlsafe(32)
    digest = secret_digest(code)
    with transaction.atomic(), scopes_disabled():
        # One statement decides: a second request with the same code finds no row.
        spent = Station.objects.filter(
            enrol_digest=digest,
            enrol_until__gt=timezone.now(),
            status__in=[StationStatus.PENDING, StationStatus.ACTIVE],
        ).update(
            enrol_digest=None,
            enrol_until=None,
            token_digest=secret_digest(token),
            status=StationStatus.ACTIVE,
            enrolled_on=timezone.localdate(),
            version=F("version") + 1,
        )
        if spent != 1:
            return None
        station = Station.objects.select_related("organization").get(token_digest=secret_digest(token))
        audit_record(
            actor=None,
            action="arusha.surveys.station_enrolled",
            obj=station,
            organization=station.organization,
            changes={"status": [None, StationStatus.ACTIVE]},
        )
    return Enrolment(station=station, token=token)


def station_of_token(token: str) -> Station | None:
    """The active station this token belongs to, or None."""
    if not token or len(token) > MAX_SECRET_LENGTH:
        return None
    with scopes_disabled():
        return (
            Station.objects.select_related("organization")
            .filter(token_digest=secret_digest(token), status=StationStatus.ACTIVE)
            .first()
        )


def station_retire(*, actor: User | None, station: Station, version: int | None = None) -> Station:
    """Stop a station: its token and any unused code stop working at once. Nothing it sent is touched."""
    authorize(actor, "edit", station)
    if station.status == StationStatus.RETIRED:
        raise DomainError(_("This station is already retired."))
    before = station.status
    with transaction.atomic(), scopes_disabled():
        station.status = StationStatus.RETIRED
        station.token_digest = None
        station.enrol_digest = None
        station.enrol_until = None
        save_versioned(
            station, version=version, fields=["status", "token_digest", "enrol_digest", "enrol_until"]
        )
        audit_record(
            actor=actor,
            action="arusha.surveys.station_retired",
            obj=station,
            organization=station.organization,
            changes={"status": [before, StationStatus.RETIRED]},
        )
    return station


def stations_of(organization: Organization) -> list[Station]:
    with scopes_disabled():
        return list(
            Station.objects.filter(organization=organization)
            .prefetch_related("waves")
            .order_by("status", "name")
        )


def station_waves(station: Station) -> list[Wave]:
    """The waves the station is enrolled for, with their surveys."""
    with scopes_disabled():
        return list(
            station.waves.select_related("survey", "questionnaire").order_by("survey__title", "number")
        )


def waves_to_collect(organization: Organization) -> list[Wave]:
    """The waves a station may be added for: not closed, of the organization's surveys."""
    with scopes_disabled():
        return list(
            Wave.objects.filter(survey__organization=organization)
            .exclude(status=WaveStatus.CLOSED)
            .select_related("survey")
            .order_by("survey__title", "number")
        )
