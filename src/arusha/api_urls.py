"""The API under /api/: versioned read endpoints and their OpenAPI schema."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from arusha.assessments import api as assessments_api
from arusha.core.policies import api

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
    # Last: every other address under /api/ answers a JSON 404, not the HTML page. Only
    # addresses ending in a slash, so that APPEND_SLASH still redirects the others first.
    re_path(r"^.*/$", api(assessments_api.not_found), name="api-not-found"),
]
