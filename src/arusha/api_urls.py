"""The API under /api/: versioned endpoints and their OpenAPI schema."""

from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView
from rest_framework.views import APIView

from arusha.assessments import api as assessments_api
from arusha.core.policies import api
from arusha.monitoring import api as monitoring_api
from arusha.planning import api as planning_api


def _v1(route: str, view: type[APIView], name: str) -> URLPattern:
    """An endpoint of version 1 of the API, under the API's access policy."""
    return path(f"v1/{route}", api(view.as_view()), name=name)


urlpatterns = [
    path("schema/", api(SpectacularAPIView.as_view()), name="api-schema"),
    _v1("assessments/", assessments_api.AssessmentList, "api-assessments"),
    _v1("assessments/<int:pk>/", assessments_api.AssessmentDetail, "api-assessment"),
    _v1("assessments/<int:pk>/responses/", assessments_api.ResponseList, "api-assessment-responses"),
    _v1("assessments/<int:pk>/findings/", assessments_api.FindingList, "api-assessment-findings"),
    _v1("assessments/<int:pk>/export/", assessments_api.AssessmentExport, "api-assessment-export"),
    _v1("plans/", planning_api.PlanList, "api-plans"),
    _v1("plans/<int:pk>/", planning_api.PlanDetail, "api-plan"),
    _v1("plans/<int:pk>/activities/", planning_api.ActivityList, "api-plan-activities"),
    _v1("plans/<int:pk>/periods/", monitoring_api.PeriodList, "api-plan-periods"),
    _v1("plans/<int:pk>/measurements/", monitoring_api.MeasurementList, "api-plan-measurements"),
    _v1(
        "plans/<int:pk>/periods/<int:period>/measurements/<int:kpi>/",
        monitoring_api.MeasurementOne,
        "api-plan-measurement",
    ),
    _v1("plans/<int:pk>/progress/", monitoring_api.ProgressList, "api-plan-progress"),
    _v1(
        "plans/<int:pk>/periods/<int:period>/progress/<int:activity>/",
        monitoring_api.ProgressOne,
        "api-plan-progress-report",
    ),
    _v1("kpis/", planning_api.KpiList, "api-kpis"),
    _v1("kpis/<int:pk>/", planning_api.KpiDetail, "api-kpi"),
    # Last: every other address under /api/ answers a JSON 404, not the HTML page. Only
    # addresses ending in a slash, so that APPEND_SLASH still redirects the others first.
    # [\s\S], not ".": an identifier with a line break in it is not found either.
    # It writes nothing: a PUT to a missing address answers its JSON 404, not the CSRF page.
    re_path(r"^[\s\S]*/$", api(csrf_exempt(assessments_api.not_found)), name="api-not-found"),
]
