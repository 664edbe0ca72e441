"""The read API of assessments: assessments, their answers and findings, and the export.

Every endpoint answers only for assessments the person may see (a member of the
administration, or an active participant); anything else is 404, as on the screens.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django_scopes import scopes_disabled
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from arusha.assessments import maturity, portability
from arusha.assessments.access import MANAGE, VIEW, assessment_permissions
from arusha.assessments.models import Assessment, Finding, Response
from arusha.core.models import Membership, User
from arusha.core.roles import Permission


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


def visible_assessments(user: User) -> QuerySet[Assessment]:
    """The assessments a person may see, across organizations (used unscoped, so filtered here)."""
    organizations = [
        m.organization_id
        for m in Membership.objects.filter(user=user, is_active=True)
        if Permission.VIEW in m.permissions
    ]
    return Assessment.objects.filter(
        Q(organization_id__in=organizations)
        | Q(participants__user=user, participants__revoked_at__isnull=True)
    ).distinct()


def _assessment(request: Request, pk: int, permission: str = VIEW) -> Assessment:
    user: User = request.user  # type: ignore[assignment]
    assessment = visible_assessments(user).select_related("organization").filter(pk=pk).first()
    if assessment is None:
        raise Http404
    membership = Membership.objects.filter(organization=assessment.organization, user=user).first()
    if permission not in assessment_permissions(assessment, user, membership):
        raise Http404
    return assessment


class _Unscoped:
    """The API serves several organizations at once: each query filters by what the person may see."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with scopes_disabled():
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class AssessmentList(_Unscoped, generics.ListAPIView[Assessment]):
    serializer_class = AssessmentSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        user: User = self.request.user  # type: ignore[assignment]
        return (
            visible_assessments(user)
            .select_related("organization", "framework_version__framework")
            .prefetch_related("excluded_areas")
            .order_by("-planned_start", "-id")
        )


class AssessmentDetail(_Unscoped, generics.RetrieveAPIView[Assessment]):
    serializer_class = AssessmentSerializer

    def get_object(self) -> Assessment:
        return _assessment(self.request, self.kwargs["pk"])


class ResponseList(_Unscoped, generics.ListAPIView[Response]):
    serializer_class = ResponseSerializer

    def get_queryset(self) -> QuerySet[Response]:
        assessment = _assessment(self.request, self.kwargs["pk"])
        return (
            Response.objects.filter(assessment=assessment, version__gt=0)
            .select_related("question")
            .order_by("question__order")
        )


class FindingList(_Unscoped, generics.ListAPIView[Finding]):
    serializer_class = FindingSerializer

    def get_queryset(self) -> QuerySet[Finding]:
        assessment = _assessment(self.request, self.kwargs["pk"])
        return Finding.objects.filter(assessment=assessment).prefetch_related("questions").order_by("id")


class AssessmentExport(_Unscoped, APIView):
    """The whole assessment in the portable format (see docs/api.md); for those who run it."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> ApiResponse:
        assessment = _assessment(request, pk, permission=MANAGE)
        return ApiResponse(portability.export_document(assessment))
