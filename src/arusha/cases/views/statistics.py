"""Statistics and retention screens of cases.

The statistics page and its exports read the de-identified records only
(arusha.cases.statistics): a statistics reader never sees a case, a reference or a word
of content. The retention page is for supervisors: the cases due for purge, and legal holds.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from arusha.cases import statistics
from arusha.cases.access import STATISTICS, SUPERVISE
from arusha.cases.keys import Keyring
from arusha.cases.models import Case
from arusha.cases.services import retention
from arusha.core.form_pages import form_page
from arusha.core.listing import csv_response, paginate
from arusha.core.models import Organization
from arusha.core.policies import member
from arusha.core.requests import notes_of, organization_of, user_of

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"}),
    )


class PeriodForm(forms.Form):
    """Months of closing, from and to, both included; either may be left open."""

    start = _month_field(gettext_lazy("From (month)"))
    end = _month_field(gettext_lazy("To (month)"))

    @staticmethod
    def _month(value: str) -> datetime.date | None:
        value = value.strip()
        if not value:
            return None
        match = _MONTH.match(value)
        if match is None or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2999:
            raise forms.ValidationError(_("Write a month as YYYY-MM, for example 2026-03."))
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)

    def clean_start(self) -> datetime.date | None:
        return self._month(self.cleaned_data["start"])

    def clean_end(self) -> datetime.date | None:
        return self._month(self.cleaned_data["end"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return cleaned

    def period(self) -> statistics.Period:
        """The period asked, or every month when the form is empty or wrong."""
        if not self.is_bound or not self.is_valid():
            return statistics.Period()
        return statistics.Period(self.cleaned_data["start"], self.cleaned_data["end"])


def _query(request: HttpRequest) -> str:
    """The period of the page, for its export links."""
    kept = request.GET.copy()
    kept.pop("format", None)
    kept.pop("page", None)
    return kept.urlencode()


def _page(request: HttpRequest, form: PeriodForm, *, status: int = 200) -> HttpResponse:
    org = organization_of(request)
    context = {
        "form": form,
        "stats": statistics.statistics_of(org, form.period()),
        "query": _query(request),
        "can_supervise": notes_of(request).access.has(SUPERVISE),
    }
    return render(request, "cases/statistics/page.html", context, status=status)


@member(STATISTICS)
@require_GET
def statistics_page(request: HttpRequest, organization: str) -> HttpResponse:
    return _page(request, PeriodForm(request.GET or None))


@member(STATISTICS)
@require_GET
def statistics_export(request: HttpRequest, organization: str) -> HttpResponseBase:
    """The page's tables as XLSX (the default) or CSV: metadata only, small cells hidden alike."""
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _page(request, form, status=400)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    org = organization_of(request)
    stats = statistics.statistics_of(org, form.period())
    name = f"{org.slug}-case-statistics"
    if fmt == "csv":
        return csv_response(f"{name}.csv", [_("Case statistics"), org.name], statistics.export_rows(stats))
    response = HttpResponse(statistics.export_xlsx(stats), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# ---------------------------------------------------------------- retention


class LegalHoldForm(forms.Form):
    case = forms.CharField(
        label=gettext_lazy("Case reference"),
        max_length=12,
        help_text=gettext_lazy("As the case list shows it, for example ABCD-EFGH."),
    )
    hold = forms.ChoiceField(
        label=gettext_lazy("Legal hold"),
        choices=[("on", gettext_lazy("Put on legal hold")), ("off", gettext_lazy("Lift the legal hold"))],
        widget=forms.RadioSelect,
        initial="on",
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=retention.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Kept only sealed, as an internal note of the case, when you hold its key and your vault "
            "is open; never in the audit trail."
        ),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_case(self) -> Case:
        found = retention.case_by_reference(self.organization, self.cleaned_data["case"])
        if found is None:
            raise forms.ValidationError(_("No case has this reference."))
        return found


def _case_url(organization: Organization, case: Case) -> str:
    try:
        return reverse("case-detail", args=[organization.slug, case.pk])
    except NoReverseMatch:  # the case page belongs to the desk's screens; the list works without it
        return ""


def _held_message(held: retention.Held) -> str:
    done = _("The legal hold is set.") if held.case.legal_hold else _("The legal hold is lifted.")
    if held.reason_kept:
        return done + " " + _("The reason is kept as an internal note of the case.")
    return (
        done
        + " "
        + _(
            "The reason was not kept: you hold no key of this case, or your vault is locked. "
            "It is not in the audit trail either."
        )
    )


@member(SUPERVISE)
@require_http_methods(["GET", "POST"])
def retention_page(request: HttpRequest, organization: str) -> HttpResponse:
    org = organization_of(request)
    initial = {
        key: request.GET[key][:12]
        for key in ("case", "hold")
        if key in request.GET and request.method == "GET"
    }
    form = LegalHoldForm(request.POST or None, organization=org, initial=initial)
    today = timezone.localdate()
    page = paginate(request, retention.due_for_purge(org, today))
    held = list(retention.on_legal_hold(org)[:200])

    def save(data: dict[str, Any]) -> retention.Held:
        return retention.case_legal_hold(
            actor=user_of(request),
            case=data["case"],
            on=data["hold"] == "on",
            reason=data["reason"],
            keyring=Keyring.of(request, org),
        )

    return form_page(
        request,
        form,
        save,
        success=reverse("case-retention", args=[org.slug]),
        message=_held_message,
        template="cases/statistics/retention.html",
        context={
            "page": page,
            "due": [(case, _case_url(org, case)) for case in page.object_list],
            "held": [(case, _case_url(org, case)) for case in held],
            "today": today,
            "archive_after": retention.ARCHIVE_AFTER_DAYS,
        },
    )
