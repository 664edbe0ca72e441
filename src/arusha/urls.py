"""Root URLconf. Tenant screens live under /o/<organization>/."""

from django.conf import settings
from django.urls import include, path

from arusha.accounts import urls as accounts_urls
from arusha.core import views as core_views
from arusha.core.urls import account_urls, organization_urls
from arusha.planning import public as planning_public

urlpatterns = [
    path("", core_views.home, name="home"),
    path("account/", include(accounts_urls.account_urls)),
    path("account/", include(account_urls)),
    path("api/", include("arusha.api_urls")),
    path("frameworks/", include("arusha.frameworks.urls")),
    path("o/<slug:organization>/", include(accounts_urls.organization_urls)),
    path("o/<slug:organization>/", include(organization_urls)),
    path("o/<slug:organization>/assessments/", include("arusha.assessments.urls")),
    path("o/<slug:organization>/plans/", include("arusha.planning.urls")),
    path("o/<slug:organization>/plans/<int:plan>/monitoring/", include("arusha.monitoring.urls")),
    path("o/<slug:organization>/cases/", include("arusha.cases.urls")),
    path("report/<slug:organization>/", include("arusha.cases.public_urls")),
    path("o/<slug:organization>/surveys/", include("arusha.surveys.urls")),
    path("o/<slug:organization>/risks/", include("arusha.risks.urls")),
    path("o/<slug:organization>/analytics/", include("arusha.analytics.urls")),
    path("", include("arusha.surveys.public_urls")),
    path("public/<slug:organization>/plans/<int:pk>/", planning_public.plan_page, name="public-plan"),
    path(
        "public/<slug:organization>/plans/<int:pk>/plan.pdf", planning_public.plan_pdf, name="public-plan-pdf"
    ),
]

if settings.ARUSHA_BENCH:
    from arusha.core.bench_views import floor

    urlpatterns.append(path("bench/floor/", floor, name="bench-floor"))
