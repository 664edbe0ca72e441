"""Setting surveys up: the list, a survey's page, its groups and its questionnaire versions.

Waves: arusha.surveys.views.wave_views. Every write goes through
arusha.surveys.services.questionnaires; a published version is shown, exported and
copied, never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scopes_disabled

from arusha.core.errors import DomainError
from arusha.core.form_pages import act, form_page, submit
from arusha.core.policies import member
from arusha.core.requests import notes_of, organization_of, user_of
from arusha.frameworks.factors import factor_label
from arusha.surveys.access import COLLECT, MANAGE
from arusha.surveys.example import example_add
from arusha.surveys.forms import (
    GroupForm,
    KeyForm,
    SurveyForm,
    VersionOnlyForm,
    XLSFormUploadForm,
    label_languages,
)
from arusha.surveys.models import (
    Choice,
    Item,
    ItemKind,
    QuestionnaireVersion,
    RespondentGroup,
    Survey,
    Wave,
)
from arusha.surveys.services import questionnaires as services
from arusha.surveys.views.base import any_survey_permission, can_of, on_survey, survey_of
from arusha.surveys.xlsform import Questionnaire, from_version, to_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def in_language(labels: dict[str, str], languages: list[str] | None = None) -> str:
    """A label in the page's language, else the questionnaire's first, else any."""
    language = (get_language() or "en").split("-")[0]
    if labels.get(language):
        return labels[language]
    for code in languages or []:
        if labels.get(code):
            return labels[code]
    return next((text for text in labels.values() if text), "")


def survey_url(survey: Survey) -> str:
    return reverse("survey-detail", args=[survey.organization.slug, survey.pk])


def version_url(version: QuestionnaireVersion) -> str:
    return reverse(
        "version-detail", args=[version.survey.organization.slug, version.survey_id, version.number]
    )


def _version(survey: Survey, number: int) -> QuestionnaireVersion:
    with scopes_disabled():
        found = (
            QuestionnaireVersion.objects.select_related("survey").filter(survey=survey, number=number).first()
        )
    if found is None:
        raise Http404
    return found


def _refusal(form: KeyForm) -> str:
    """Why a one-button form was refused, in the service's words."""
    found = [str(error) for errors in form.errors.values() for error in errors]
    return " ".join(found) or _("Nothing was changed. Reload the page and try again.")


def _context(request: HttpRequest, survey: Survey | None = None, **values: Any) -> dict[str, Any]:
    return {"survey": survey, "can": can_of(request), **values}


def _one_button(
    request: HttpRequest,
    write: Callable[[], QuestionnaireVersion],
    *,
    refused_url: str,
    message: Callable[[QuestionnaireVersion], str],
) -> HttpResponse:
    """Make a new draft from a one-button form: to the draft's page, or back with the refusal."""
    form = KeyForm(request.POST)
    saved = submit(request, form, lambda data: write())
    if saved is None:
        messages.error(request, _refusal(form))
        return redirect(refused_url)
    messages.success(request, message(saved.value))
    return redirect(version_url(saved.value))


# --- Surveys -------------------------------------------------------------------------------------


@any_survey_permission
@require_GET
def survey_list(request: HttpRequest, organization: str) -> HttpResponse:
    org = organization_of(request)
    with scopes_disabled():
        surveys = list(
            Survey.objects.filter(organization=org).annotate(
                wave_count=Count("waves", distinct=True), version_count=Count("versions", distinct=True)
            )
        )
    return render(
        request,
        "surveys/survey_list.html",
        {
            "surveys": surveys,
            "may_add": notes_of(request).access.has(MANAGE),
            "may_collect": notes_of(request).access.has(COLLECT),
        },
    )


def _survey_values(survey: Survey) -> dict[str, Any]:
    return {
        "title": survey.title,
        "slug": survey.slug,
        "description": survey.description,
        "minimum_cell": survey.minimum_cell,
        "version": survey.version,
    }


@member(MANAGE)
@require_http_methods(["GET", "POST"])
def survey_add(request: HttpRequest, organization: str) -> HttpResponse:
    org, user = organization_of(request), user_of(request)
    form = SurveyForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda data: services.survey_create(actor=user, organization=org, **data),
        success=survey_url,
        message=lambda survey: _("The survey %(title)s is created.") % {"title": survey.title},
        template="surveys/survey_form.html",
        context={"survey": None},
    )


@on_survey("manage")
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, organization: str, survey: int) -> HttpResponse:
    current, user = survey_of(request), user_of(request)
    form = SurveyForm(request.POST or None, initial=_survey_values(current), editing=True)
    return form_page(
        request,
        form,
        lambda data: services.survey_edit(actor=user, survey=current, **data),
        success=survey_url,
        message=_("The survey is saved."),
        template="surveys/survey_form.html",
        context=_context(request, current),
        theirs=_survey_values,
    )


def _group_rows(survey: Survey, language_list: list[str]) -> list[dict[str, Any]]:
    with scopes_disabled():
        groups = list(RespondentGroup.objects.filter(survey=survey).order_by("position", "code"))
    top = [group for group in groups if group.parent_id is None]
    rows = []
    for group in top:
        rows.append({"group": group, "label": in_language(group.labels, language_list), "depth": 0})
        for sub in groups:
            if sub.parent_id == group.pk:
                rows.append({"group": sub, "label": in_language(sub.labels, language_list), "depth": 1})
    return rows


@on_survey("view")
@require_GET
def survey_detail(request: HttpRequest, organization: str, survey: int) -> HttpResponse:
    current = survey_of(request)
    with scopes_disabled():
        versions = list(
            QuestionnaireVersion.objects.filter(survey=current)
            .annotate(item_count=Count("items"))
            .order_by("-number")
        )
        waves = list(Wave.objects.filter(survey=current).select_related("questionnaire").order_by("-number"))
    languages = versions[0].languages if versions else []
    try:
        trend_url = reverse("survey-trend", args=[current.organization.slug, current.pk])
    except NoReverseMatch:  # the results screens are not installed
        trend_url = ""
    return render(
        request,
        "surveys/survey_detail.html",
        _context(
            request,
            current,
            groups=_group_rows(current, languages),
            versions=versions,
            waves=waves,
            published=any(version.is_published for version in versions),
            example_form=KeyForm(),
            trend_url=trend_url,
        ),
    )


@on_survey("manage")
@require_POST
def survey_example(request: HttpRequest, organization: str, survey: int) -> HttpResponse:
    """Add the example questionnaire as a new draft (and the groups it names that are missing)."""
    current, user = survey_of(request), user_of(request)
    return _one_button(
        request,
        lambda: example_add(actor=user, survey=current),
        refused_url=survey_url(current),
        message=lambda draft: (
            _("The example questionnaire is added as version %(number)s, a draft.") % {"number": draft.number}
        ),
    )


# --- Respondent groups ---------------------------------------------------------------------------


def _survey_languages(survey: Survey) -> list[str]:
    with scopes_disabled():
        used = QuestionnaireVersion.objects.filter(survey=survey).values_list("languages", flat=True)
    extra: list[str] = []
    for languages in used:
        extra.extend(str(code) for code in languages if code not in extra)
    return label_languages(extra)


def _parents(survey: Survey, exclude: RespondentGroup | None = None) -> list[RespondentGroup]:
    with scopes_disabled():
        rows = RespondentGroup.objects.filter(survey=survey, parent__isnull=True).order_by("position", "code")
        return [group for group in rows if exclude is None or group.pk != exclude.pk]


@on_survey("manage")
@require_http_methods(["GET", "POST"])
def group_add(request: HttpRequest, organization: str, survey: int) -> HttpResponse:
    current, user = survey_of(request), user_of(request)
    form = GroupForm(request.POST or None, languages=_survey_languages(current), parents=_parents(current))
    return form_page(
        request,
        form,
        lambda data: services.group_create(
            actor=user, survey=current, code=data["code"], labels=data["labels"], parent=data["parent"]
        ),
        success=lambda group: survey_url(current) + "#groups",
        message=lambda group: _("The group %(name)s is added.") % {"name": group.label()},
        template="surveys/group_form.html",
        context=_context(request, current, group=None),
    )


@on_survey("manage")
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, organization: str, survey: int, group: int) -> HttpResponse:
    current, user = survey_of(request), user_of(request)
    with scopes_disabled():
        found = RespondentGroup.objects.filter(survey=current, pk=group).first()
    if found is None:
        raise Http404
    languages = _survey_languages(current)
    initial = {"code": found.code, "parent": found.parent_id or ""}
    initial |= {f"label_{code}": found.labels.get(code, "") for code in languages}
    form = GroupForm(
        request.POST or None, languages=languages, parents=_parents(current, exclude=found), initial=initial
    )
    return form_page(
        request,
        form,
        lambda data: services.group_edit(
            actor=user, group=found, code=data["code"], labels=data["labels"], parent=data["parent"]
        ),
        success=survey_url(current) + "#groups",
        message=_("The group is saved."),
        template="surveys/group_form.html",
        context=_context(request, current, group=found),
    )


# --- Questionnaire versions --------------------------------------------------------------------


def _choice_lists(version: QuestionnaireVersion) -> dict[str, list[dict[str, Any]]]:
    with scopes_disabled():
        choices = list(Choice.objects.filter(questionnaire=version).order_by("list_name", "position"))
    lists: dict[str, list[dict[str, Any]]] = {}
    for choice in choices:
        lists.setdefault(choice.list_name, []).append(
            {
                "name": choice.name,
                "label": in_language(choice.labels, version.languages),
                "special": choice.get_special_display() if choice.special else "",
            }
        )
    return lists


def _blocks(version: QuestionnaireVersion) -> list[dict[str, Any]]:
    """The items in order, grouped into consecutive blocks, each with what a reader checks."""
    lists = _choice_lists(version)
    with scopes_disabled():
        items = list(Item.objects.filter(questionnaire=version).order_by("position"))
    blocks: list[dict[str, Any]] = []
    for item in items:
        if not blocks or blocks[-1]["name"] != item.block:
            blocks.append({"name": item.block, "factors": [], "items": []})
        block = blocks[-1]
        if item.factor and factor_label(item.factor) not in block["factors"]:
            block["factors"].append(factor_label(item.factor))
        block["items"].append(
            {
                "item": item,
                "label": in_language(item.labels, version.languages),
                "hint": in_language(item.hints, version.languages) if item.hints else "",
                "factor": factor_label(item.factor) if item.factor else "",
                "reversed": item.polarity < 0,
                "choices": lists.get(item.choice_list, []) if item.kind != ItemKind.NOTE else [],
            }
        )
    return blocks


@on_survey("view")
@require_GET
def version_detail(request: HttpRequest, organization: str, survey: int, number: int) -> HttpResponse:
    current = survey_of(request)
    version = _version(current, number)
    blocks = _blocks(version)
    return render(
        request,
        "surveys/version_detail.html",
        _context(
            request,
            current,
            version=version,
            blocks=blocks,
            item_count=sum(len(block["items"]) for block in blocks),
            statement=in_language(version.anonymity_statement, version.languages),
            key_form=KeyForm(),
        ),
    )


@on_survey("view")
@require_GET
def version_export(request: HttpRequest, organization: str, survey: int, number: int) -> HttpResponse:
    """The version as an XLSForm workbook, which imports back to the same questionnaire."""
    current = survey_of(request)
    version = _version(current, number)
    body = to_workbook(from_version(version))
    response = HttpResponse(body, content_type=XLSX)
    name = slugify(current.slug) or "survey"
    response["Content-Disposition"] = f'attachment; filename="questionnaire-{name}-v{version.number}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _workbook_page(
    request: HttpRequest,
    form: XLSFormUploadForm,
    write: Callable[[Questionnaire, dict[str, Any]], QuestionnaireVersion],
    *,
    message: str | Callable[[QuestionnaireVersion], str],
    context: dict[str, Any],
) -> HttpResponse:
    """The XLSForm upload page: every problem listed by sheet and row, or `write` with its content."""

    def save(data: dict[str, Any]) -> QuestionnaireVersion:
        if form.questionnaire is None:
            raise DomainError(_("Choose the workbook to import."), field="file")
        return write(form.questionnaire, data)

    return form_page(
        request,
        form,
        save,
        success=version_url,
        message=message,
        template="surveys/version_import.html",
        context=context,
    )


@on_survey("manage")
@require_http_methods(["GET", "POST"])
def version_import(request: HttpRequest, organization: str, survey: int) -> HttpResponse:
    """Upload an XLSForm: every problem listed by sheet and row, or a new draft version."""
    current, user = survey_of(request), user_of(request)
    return _workbook_page(
        request,
        XLSFormUploadForm(request.POST or None, request.FILES or None),
        lambda content, data: services.version_import(actor=user, survey=current, questionnaire=content),
        message=lambda version: (
            _("The questionnaire is imported as version %(number)s, a draft.") % {"number": version.number}
        ),
        context=_context(request, current, version=None),
    )


@on_survey("manage")
@require_http_methods(["GET", "POST"])
def version_replace(request: HttpRequest, organization: str, survey: int, number: int) -> HttpResponse:
    """Upload an XLSForm in place of a draft's content (a published version refuses)."""
    current, user = survey_of(request), user_of(request)
    version = _version(current, number)
    form = XLSFormUploadForm(
        request.POST or None, request.FILES or None, replacing=True, initial={"version": version.version}
    )
    return _workbook_page(
        request,
        form,
        lambda content, data: services.version_replace(
            actor=user, questionnaire=version, content=content, version=data.get("version")
        ),
        message=_("The draft is replaced by the workbook's questionnaire."),
        context=_context(request, current, version=version),
    )


def _confirm(
    request: HttpRequest, survey: Survey, version: QuestionnaireVersion, **values: Any
) -> HttpResponse:
    """The page that asks before a one-button change to `version` (heading, explanation, button…)."""
    form = VersionOnlyForm(initial={"version": version.version})
    context = _context(request, survey, form=form, back_url=version_url(version), **values)
    return render(request, "surveys/confirm.html", context)


@on_survey("view", post="manage")
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, organization: str, survey: int, number: int) -> HttpResponse:
    current, user = survey_of(request), user_of(request)
    version = _version(current, number)
    if request.method == "POST":
        return act(
            request,
            lambda: services.version_publish(
                actor=user, questionnaire=version, version=VersionOnlyForm.posted(request.POST)
            ),
            _("Version %(number)s is published. It will never change.") % {"number": version.number},
            version_url(version),
        )
    return _confirm(
        request,
        current,
        version,
        heading=_("Publish version %(number)s") % {"number": version.number},
        explanation=[
            _("Once published, the version never changes: waves can then use it, and stations cache it."),
            _("To change it later, make a new draft from it; its questions keep their lineage."),
        ],
        refusal=_("This version is already published.") if version.is_published else "",
        button=_("Publish"),
    )


@on_survey("manage")
@require_POST
def version_new(request: HttpRequest, organization: str, survey: int, number: int) -> HttpResponse:
    """A new draft copied from a published version, keeping every item's lineage."""
    current, user = survey_of(request), user_of(request)
    version = _version(current, number)
    return _one_button(
        request,
        lambda: services.version_new_draft(actor=user, questionnaire=version),
        refused_url=version_url(version),
        message=lambda draft: (
            _("Version %(number)s is a new draft, copied from this one.") % {"number": draft.number}
        ),
    )


@on_survey("view", post="manage")
@require_http_methods(["GET", "POST"])
def version_delete(request: HttpRequest, organization: str, survey: int, number: int) -> HttpResponse:
    current, user = survey_of(request), user_of(request)
    version = _version(current, number)
    if request.method == "POST":
        try:
            services.version_delete(
                actor=user, questionnaire=version, version=VersionOnlyForm.posted(request.POST)
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(version_url(version))
        messages.success(request, _("The draft version %(number)s is deleted.") % {"number": number})
        return redirect(survey_url(current))
    return _confirm(
        request,
        current,
        version,
        heading=_("Delete the draft version %(number)s") % {"number": version.number},
        explanation=[_("The draft and its questions are deleted. Published versions are not touched.")],
        refusal=_("A published version is kept for ever: waves and responses refer to it.")
        if version.is_published
        else "",
        button=_("Delete the draft"),
        danger=True,
    )
