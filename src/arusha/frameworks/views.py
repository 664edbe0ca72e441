"""The framework browser, the question search, the pack upload."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from arusha.core.errors import DomainError
from arusha.core.listing import csv_response, paginate
from arusha.core.models import User
from arusha.core.policies import authenticated, staff_only
from arusha.core.requests import is_htmx
from arusha.frameworks import selectors, services
from arusha.frameworks.forms import PackUploadForm, SearchForm
from arusha.frameworks.loader import PackInvalidError, parse_text
from arusha.frameworks.templatetags.arusha_text import tr


@authenticated
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "frameworks/framework_list.html", {"versions": selectors.version_list()})


@authenticated
def version_detail(request: HttpRequest, code: str, version: str) -> HttpResponseBase:
    pack = selectors.version_get(code, version)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if request.GET.get("format") == "csv":
        rows = (
            [
                q.code,
                q.area.code,
                q.topic.code if q.topic else "",
                tr(q.text),
                tr(q.guidance),
                q.idg_reference,
            ]
            for q in selectors.questions_of(pack).iterator()
        )
        header = [_("Code"), _("Area"), _("Topic"), _("Question"), _("Guidance"), _("IDG reference")]
        return csv_response(f"{pack.framework.code}-{pack.version}.csv", header, rows)
    results = paginate(request, selectors.question_search(pack, query)) if query else None
    context = {
        "pack": pack,
        "areas": selectors.area_list(pack),
        "form": form,
        "query": query,
        "results": results,
    }
    if is_htmx(request):
        return render(request, "frameworks/version_detail.html#search-results", context)
    return render(request, "frameworks/version_detail.html", context)


@authenticated
def area_detail(request: HttpRequest, code: str, version: str, area: str) -> HttpResponse:
    pack = selectors.version_get(code, version)
    found = selectors.area_get(pack, area)
    areas = list(selectors.area_list(pack))
    index = next(i for i, a in enumerate(areas) if a.pk == found.pk)
    context = {
        "pack": pack,
        "area": found,
        "previous": areas[index - 1] if index > 0 else None,
        "next": areas[index + 1] if index + 1 < len(areas) else None,
    }
    return render(request, "frameworks/area_detail.html", context)


@staff_only
@require_http_methods(["GET", "POST"])
def pack_upload(request: HttpRequest) -> HttpResponse:
    form = PackUploadForm(request.POST or None, request.FILES or None)
    pack_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        filename = getattr(request.FILES.get("file"), "name", None) or "pack.yaml"
        try:
            parsed = parse_text(form.cleaned_data["file"], filename)
            actor: User = request.user  # type: ignore[assignment]
            version, written = services.framework_load(actor=actor, parsed=parsed)
        except PackInvalidError as invalid:
            pack_errors = [str(error) for error in invalid.errors]
        except DomainError as error:
            pack_errors = [str(error.message)]
        else:
            if written:
                messages.success(request, _("The pack %(pack)s is loaded.") % {"pack": version})
            else:
                messages.info(
                    request, _("The pack %(pack)s was already loaded with this content.") % {"pack": version}
                )
            return redirect("framework-version", code=version.framework.code, version=version.version)
    status = 400 if pack_errors or form.errors else 200
    return render(
        request, "frameworks/pack_upload.html", {"form": form, "pack_errors": pack_errors}, status=status
    )
