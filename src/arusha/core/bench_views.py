"""The floor of the benchmark: a bare Django view, served only when ARUSHA_BENCH is on."""

from django.http import HttpRequest, HttpResponse

from arusha.core.policies import public


@public
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")
