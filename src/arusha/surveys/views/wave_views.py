"""Waves: add one on a published version, its page, dates and group sizes, opening and closing.

Opening a wave for the first time makes its key pair, locked by a passphrase typed here
twice and never stored (arusha.surveys.services.waves): whoever keeps it is the key
custodian, without whom no response can ever be read.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scopes_disabled

from arusha.core.form_pages import act, form_page
from arusha.core.requests import user_of
from arusha.surveys.forms import PopulationsForm, VersionOnlyForm, WaveForm, WaveOpenForm
from arusha.surveys.models import (
    QuestionnaireVersion,
    RespondentGroup,
    Survey,
    VersionStatus,
    Wave,
    WaveStatus,
)
from arusha.surveys.services import questionnaires as services
from arusha.surveys.services.waves import wave_close as close_wave
from arusha.surveys.services.waves import wave_open as open_wave
from arusha.surveys.views.base import can_of, on_survey, on_wave, survey_of, wave_of
from arusha.surveys.views.questionnaire_views import in_language


def wave_url(wave: Wave) -> str:
    return reverse("wave-detail", args=[wave.survey.organization.slug, wave.pk])


def _published(survey: Survey) -> list[QuestionnaireVersion]:
    with scopes_disabled():
        return list(
            QuestionnaireVersion.objects.filter(survey=survey, status=VersionStatus.PUBLISHED).order_by(
                "-number"
            )
        )


def _groups(survey: Survey) -> list[RespondentGroup]:
    """Groups of the first level, each followed by its subgroups."""
    with scopes_disabled():
        groups = list(RespondentGroup.objects.filter(survey=survey).order_by("position", "code"))
    ordered: list[RespondentGroup] = []
    for group in groups:
        if group.parent_id is None:
            ordered.append(group)
            ordered.extend(sub for sub in groups if sub.parent_id == group.pk)
    return ordered


def _wave_values(wave: Wave) -> dict[str, Any]:
    return {
        "name": wave.name,
        "questionnaire": wave.questionnaire_id,
        "opens_on": wave.opens_on,
        "closes_on": wave.closes_on,
        "version": wave.version,
    }


def _context(request: HttpRequest, wave: Wave, **values: Any) -> dict[str, Any]:
    return {"wave": wave, "survey": wave.survey, "can": can_of(request), **values}


def _page(request: HttpRequest, template: str, wave: Wave, status: int = 200, **values: Any) -> HttpResponse:
    return render(request, f"surveys/{template}.html", _context(request, wave, **values), status=status)


@on_survey("manage")
@require_http_methods(["GET", "POST"])
def wave_add(request: HttpRequest, organization: str, survey: int) -> HttpResponse:
    current, user = survey_of(request), user_of(request)
    versions = _published(current)
    with scopes_disabled():
        number = Wave.objects.filter(survey=current).count() + 1
    initial = {
        "name": _("Round %(number)s") % {"number": number},
        "questionnaire": versions[0].pk if versions else None,
    }
    form = WaveForm(request.POST or None, versions=versions, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.wave_create(actor=user, survey=current, **data),
        success=wave_url,
        message=lambda wave: (
            _("The wave %(name)s is added. Open it when collection starts.") % {"name": wave.name}
        ),
        template="surveys/wave_form.html",
        context={"survey": current, "wave": None, "can": can_of(request), "no_version": not versions},
    )


@on_wave("view")
@require_GET
def wave_detail(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    current = wave_of(request)
    language = (get_language() or "en").split("-")[0]
    populations = services.populations_of(current)
    groups = [
        {
            "label": in_language(group.labels, [language]),
            "sub": group.parent_id is not None,
            "count": populations.get(group.pk),
        }
        for group in _groups(current.survey)
    ]
    return _page(
        request,
        "wave_detail",
        current,
        groups=groups,
        version_url=reverse(
            "version-detail",
            args=[current.survey.organization.slug, current.survey_id, current.questionnaire.number],
        ),
    )


@on_wave("manage")
@require_http_methods(["GET", "POST"])
def wave_edit(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    current, user = wave_of(request), user_of(request)
    versions = _published(current.survey)
    form = WaveForm(request.POST or None, versions=versions, initial=_wave_values(current), editing=True)
    return form_page(
        request,
        form,
        lambda data: services.wave_edit(actor=user, wave=current, **data),
        success=wave_url,
        message=_("The wave is saved."),
        template="surveys/wave_form.html",
        context=_context(request, current, no_version=not versions),
        theirs=_wave_values,
    )


@on_wave("view", post="manage")
@require_http_methods(["GET", "POST"])
def wave_populations(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """How many people each group counts, so that results can be weighted to known totals."""
    current, user = wave_of(request), user_of(request)
    groups = _groups(current.survey)
    known = services.populations_of(current)

    def values(found: Wave) -> dict[str, Any]:
        counts = services.populations_of(found)
        return {"version": found.version, **{f"group_{g.pk}": counts.get(g.pk) for g in groups}}

    language = (get_language() or "en").split("-")[0]
    form = PopulationsForm(
        request.POST or None,
        groups=groups,
        language=language,
        initial={"version": current.version, **{f"group_{g.pk}": known.get(g.pk) for g in groups}},
    )
    return form_page(
        request,
        form,
        lambda data: services.wave_populations(
            actor=user, wave=current, counts=data["counts"], version=data.get("version")
        ),
        success=wave_url,
        message=_("The group sizes are saved."),
        template="surveys/wave_populations.html",
        context=_context(request, current, tab="populations"),
        theirs=values,
    )


@sensitive_post_parameters("passphrase", "passphrase_again")
@on_wave("manage")
@require_http_methods(["GET", "POST"])
def wave_open(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """Start collecting; the first opening asks for the passphrase that locks the wave's key."""
    current, user = wave_of(request), user_of(request)
    needs = not current.private_key
    form = WaveOpenForm(request.POST or None, needs_passphrase=needs, initial={"version": current.version})
    refusal = ""
    if current.status == WaveStatus.OPEN:
        refusal = _("This wave is already collecting.")
    elif not current.questionnaire.is_published:
        refusal = _("Publish the questionnaire version before opening the wave.")
    return form_page(
        request,
        form,
        lambda data: open_wave(current, data.get("passphrase", ""), actor=user, version=data.get("version")),
        success=wave_url,
        message=_("The wave is open: stations and the online survey may now collect responses."),
        template="surveys/wave_open.html",
        context=_context(request, current, needs=needs, refusal=refusal),
    )


@on_wave("view", post="manage")
@require_http_methods(["GET", "POST"])
def wave_close(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    current, user = wave_of(request), user_of(request)
    if request.method == "POST":
        version = VersionOnlyForm.posted(request.POST)
        return act(
            request,
            lambda: close_wave(current, actor=user, version=version),
            _("The wave is closed. Responses that still arrive are kept, quarantined as late."),
            wave_url(current),
        )
    return _page(
        request,
        "confirm",
        current,
        heading=_("Close %(name)s") % {"name": current.name},
        explanation=[
            _("Stations and the online survey stop taking responses for this wave."),
            _(
                "Responses already collected still arrive when stations synchronise: they are kept and "
                "quarantined as late, for the key custodian to review."
            ),
        ],
        refusal=""
        if current.status == WaveStatus.OPEN
        else _("Only a wave that is collecting can be closed."),
        button=_("Close the wave"),
        danger=True,
        form=VersionOnlyForm(initial={"version": current.version}),
        back_url=wave_url(current),
    )
