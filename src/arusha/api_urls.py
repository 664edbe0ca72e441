"""The API under /api/: versioned endpoints and their OpenAPI schema."""

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView

from arusha.assessments import api as assessments_api
from arusha.core.policies import api
from arusha.monitoring import api as monitoring_api
from arusha.planning import api as planning_api

urlpatterns = [
    path("schema/", api(SpectacularAPIView.as_view()), name="api-schema"),
    path("v1/assessments/", api(assessments_api.AssessmentList.as_view()), name="api-assessments"),
    path("v1/assessments/<int:pk>/", api(assessments_api.AssessmentDetail.as_view()), name="api-assessment"),
    path(
        "v1/assessments/<int:pk>/responses/",
        api(assessments_api.ResponseList.as_view()),
        name="api-assessment-responses",
    ),
    path(
        "v1/assessments/<int:pk>/findings/",
        api(assessments_api.FindingList.as_view()),
        name="api-assessment-findings",
    ),
    path(
        "v1/assessments/<int:pk>/export/",
        api(assessments_api.AssessmentExport.as_view()),
        name="api-assessment-export",
    ),
    path("v1/plans/", api(planning_api.PlanList.as_view()), name="api-plans"),
    path("v1/plans/<int:pk>/", api(planning_api.PlanDetail.as_view()), name="api-plan"),
    path(
        "v1/plans/<int:pk>/activities/", api(planning_api.ActivityList.as_view()), name="api-plan-activities"
    ),
    path("v1/plans/<int:pk>/periods/", api(monitoring_api.PeriodList.as_view()), name="api-plan-periods"),
    path(
        "v1/plans/<int:pk>/measurements/",
        api(monitoring_api.MeasurementList.as_view()),
        name="api-plan-measurements",
    ),
    path(
        "v1/plans/<int:pk>/periods/<int:period>/measurements/<int:kpi>/",
        api(monitoring_api.MeasurementOne.as_view()),
        name="api-plan-measurement",
    ),
    path("v1/plans/<int:pk>/progress/", api(monitoring_api.ProgressList.as_view()), name="api-plan-progress"),
    path(
        "v1/plans/<int:pk>/periods/<int:period>/progress/<int:activity>/",
        api(monitoring_api.ProgressOne.as_view()),
        name="api-plan-progress-report",
    ),
    path("v1/kpis/", api(planning_api.KpiList.as_view()), name="api-kpis"),
    path("v1/kpis/<int:pk>/", api(planning_api.KpiDetail.as_view()), name="api-kpi"),
    # Last: every other address under /api/ answers a JSON 404, not the HTML page. Only
    # addresses ending in a slash, so that APPEND_SLASH still redirects the others first.
    # [\s\S], not ".": an identifier with a line break in it is not found either.
    # It writes nothing: a PUT to a missing address answers its JSON 404, not the CSRF page.
    re_path(r"^[\s\S]*/$", api(csrf_exempt(assessments_api.not_found)), name="api-not-found"),
]
