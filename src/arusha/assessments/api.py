"""The read API of assessments: assessments, their answers and findings, and the export.

Every endpoint answers only for assessments the person may see (a member of the
administration, or an active participant); anything else is 404, as on the screens.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from arusha.accounts.selectors import api_organization_id
from arusha.assessments import maturity, portability
from arusha.assessments.access import MANAGE, PERMISSION_VIEW, VIEW, assessment_permissions
from arusha.assessments.models import Assessment, Finding, Response
from arusha.core.access import membership_permissions
from arusha.core.models import Membership, User


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    organization: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    framework = serializers.SerializerMethodField()
    areas_left_out = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "organization",
            "title",
            "framework",
            "mode",
            "scope",
            "areas_left_out",
            "planned_start",
            "planned_end",
            "previous",
            "created_at",
        ]

    def get_framework(self, assessment: Assessment) -> str:
        return str(assessment.framework_version)

    def get_areas_left_out(self, assessment: Assessment) -> list[str]:
        return [e.area_code for e in assessment.excluded_areas.all()]


class ResponseSerializer(serializers.ModelSerializer[Response]):
    question = serializers.CharField(source="question.code")
    area = serializers.CharField(source="area_code")
    level_label = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = [
            "question",
            "area",
            "narrative",
            *maturity.FIELDS,
            "level",
            "level_label",
            "status",
            "version",
            "updated_at",
        ]

    def get_level_label(self, response: Response) -> str:
        return maturity.level_label(response.level)


class FindingSerializer(serializers.ModelSerializer[Finding]):
    area = serializers.CharField(source="area_code")
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = ["id", "kind", "area", "title", "description", "recommendation", "priority", "questions"]

    def get_questions(self, finding: Finding) -> list[str]:
        return [q.code for q in finding.questions.all()]


class ErrorSerializer(serializers.Serializer[Any]):
    """What every refusal carries: DRF's one-sentence explanation."""

    detail = serializers.CharField()


# Every status an endpoint can answer, so that clients (and the OpenAPI fuzzer in the
# tests) know them: a missing or expired token, a token that may not do this, an object
# the person may not see (as on the screens, "not yours" and "missing" are alike).
_REFUSALS = {
    401: OpenApiResponse(ErrorSerializer, description="No valid token (or session): sign in or send one."),
    403: OpenApiResponse(ErrorSerializer, description="The token or account may not do this."),
    404: OpenApiResponse(
        ErrorSerializer, description="No such assessment among those the person may see, or no such page."
    ),
}


class StrictPagination(PageNumberPagination):
    """Pages by number; `page=` with anything but a page number is a 404, not silently page 1."""

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not (raw.isascii() and raw.isdigit()):
            raise NotFound(_("Invalid page."))
        return super().get_page_number(request, paginator)


def _documented(ok: Any) -> Any:
    return extend_schema_view(get=extend_schema(responses={200: ok, **_REFUSALS}))


def visible_assessments(user: User, organization_id: int | None = None) -> QuerySet[Assessment]:
    """The assessments a person may see, across organizations (used unscoped, so filtered here).

    An API token acts only inside its organization (`organization_id`).
    """
    organizations = [
        m.organization_id
        for m in Membership.objects.filter(user=user, is_active=True)
        if PERMISSION_VIEW in membership_permissions(m)
    ]
    visible = Assessment.objects.filter(
        Q(organization_id__in=organizations)
        | Q(participants__user=user, participants__revoked_at__isnull=True)
    ).distinct()
    return visible if organization_id is None else visible.filter(organization_id=organization_id)


def _assessment(request: Request, pk: int, permission: str = VIEW) -> Assessment:
    user: User = request.user  # type: ignore[assignment]
    visible = visible_assessments(user, api_organization_id(request))
    assessment = visible.select_related("organization").filter(pk=pk).first()
    if assessment is None:
        raise Http404
    if permission not in assessment_permissions(assessment, user):
        raise Http404
    return assessment


class _Unscoped:
    """The API serves several organizations at once: each query filters by what the person may see."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with scopes_disabled():
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


@_documented(AssessmentSerializer(many=True))
class AssessmentList(_Unscoped, generics.ListAPIView[Assessment]):
    pagination_class = StrictPagination
    serializer_class = AssessmentSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        user: User = self.request.user  # type: ignore[assignment]
        return (
            visible_assessments(user, api_organization_id(self.request))
            .select_related("organization", "framework_version__framework")
            .prefetch_related("excluded_areas")
            .order_by("-planned_start", "-id")
        )


@_documented(AssessmentSerializer)
class AssessmentDetail(_Unscoped, generics.RetrieveAPIView[Assessment]):
    serializer_class = AssessmentSerializer

    def get_object(self) -> Assessment:
        return _assessment(self.request, self.kwargs["pk"])


@_documented(ResponseSerializer(many=True))
class ResponseList(_Unscoped, generics.ListAPIView[Response]):
    pagination_class = StrictPagination
    serializer_class = ResponseSerializer

    def get_queryset(self) -> QuerySet[Response]:
        assessment = _assessment(self.request, self.kwargs["pk"])
        return (
            Response.objects.filter(assessment=assessment, version__gt=0)
            .select_related("question")
            .order_by("question__order")
        )


@_documented(FindingSerializer(many=True))
class FindingList(_Unscoped, generics.ListAPIView[Finding]):
    pagination_class = StrictPagination
    serializer_class = FindingSerializer

    def get_queryset(self) -> QuerySet[Finding]:
        assessment = _assessment(self.request, self.kwargs["pk"])
        return Finding.objects.filter(assessment=assessment).prefetch_related("questions").order_by("id")


class AssessmentExport(_Unscoped, APIView):
    """The whole assessment in the portable format (see docs/api.md); for those who run it."""

    @extend_schema(
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The portable document (docs/api.md)."),
            **_REFUSALS,
        }
    )
    def get(self, request: Request, pk: int) -> ApiResponse:
        assessment = _assessment(request, pk, permission=MANAGE)
        return ApiResponse(portability.export_document(assessment))


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under /api/ (an identifier that is not a number, say): JSON, as documented.

    Without it Django's HTML page would answer, which no API client expects.
    """
    return JsonResponse({"detail": _("Not found.")}, status=404)
