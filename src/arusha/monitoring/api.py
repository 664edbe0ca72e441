"""The API of monitoring: reporting periods, KPI measurements and progress reports of a plan.

Everyone who may read the plan reads them. Measurements and progress reports are also
written here, with a read-and-write token, through the services the forms use
(`measurement_enter`, `progress_report`): the same rules, the same audit trail, and
each refusal answered 400 with the field it names, e.g.
`{"disaggregated.grade.B.S": ["grade B: senior posts is zero."]}`. A write is a PUT on
the one row per period (a second PUT replaces it, so a retried request does no harm);
sending the `version` read earlier refuses to overwrite a newer one (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from arusha.assessments.api import ErrorSerializer, StrictPagination
from arusha.core.concurrency import StaleEdit
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.monitoring import rates, selectors, services
from arusha.monitoring.models import ActivityStatus, Measurement, ProgressReport, ReportingPeriod
from arusha.planning import selectors as planning_selectors
from arusha.planning.api import REFUSALS, Name, Unscoped, plan_for

# The largest identifier a filter takes (a 32-bit key), so that no lookup overflows.
_MAX_ID = 2_147_483_647
_ID_PARAMETERS = {
    name: OpenApiParameter(
        name,
        # Bounds in the schema, so that a client (and the fuzzer) knows what a valid one is.
        {"type": "integer", "minimum": 1, "maximum": _MAX_ID},
        required=False,
        description=description,
    )
    for name, description in (
        ("period", "Only this reporting period (its id)."),
        ("kpi", "Only this indicator (its id)."),
        ("activity", "Only this activity (its id)."),
    )
}
_INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='A refusal naming each field at fault, e.g. {"variables.B": ["Give a value."]}.',
)
_STALE = OpenApiResponse(
    ErrorSerializer,
    description="Someone saved a newer version since the `version` sent: read it again, then send.",
)


class PeriodSerializer(serializers.ModelSerializer[ReportingPeriod]):
    class Meta:
        model = ReportingPeriod
        fields = ["id", "label", "start", "end", "report_due"]


class CategorySerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField()
    category = serializers.CharField()
    value = serializers.DecimalField(max_digits=18, decimal_places=6, allow_null=True)
    variables = serializers.DictField(
        child=serializers.CharField(),
        help_text="The category's variables, for a KPI computed from its parts.",
    )


class MeasurementSerializer(serializers.ModelSerializer[Measurement]):
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    value_shown = serializers.SerializerMethodField(
        help_text="The value rounded and written as the KPI says."
    )
    categories = serializers.SerializerMethodField(
        help_text="Each category of each disaggregation with its value (the rate, for parts)."
    )
    entered_by = Name(read_only=True)
    verified_by = Name(read_only=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "kpi",
            "kpi_code",
            "period",
            "period_label",
            "variables",
            "value",
            "value_shown",
            "disaggregated",
            "categories",
            "note",
            "entered_by",
            "entered_at",
            "verified_by",
            "verified_at",
            "version",
        ]

    def get_value_shown(self, measurement: Measurement) -> str:
        return rates.format_value(measurement.value, measurement.kpi)

    def get_categories(self, measurement: Measurement) -> list[dict[str, Any]]:
        return CategorySerializer(rates.breakdown_rows(measurement.disaggregated), many=True).data  # type: ignore[return-value]


class StrictBody(serializers.Serializer[Any]):
    """A body whose unknown fields are refused: a misspelt `version` or `note` is not dropped in silence."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        sent = self.initial_data if isinstance(self.initial_data, Mapping) else {}
        unknown = sorted(str(name) for name in set(sent) - set(self.fields))
        if unknown:
            raise ValidationError({name: [_("This field is unknown.")] for name in unknown})
        return attrs


class MeasurementWriteSerializer(StrictBody):
    variables = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text='The formula\'s variables by name, e.g. {"A": 3, "B": 60}.',
    )
    value = serializers.CharField(
        required=False, allow_blank=True, help_text="The value itself, for a KPI without a formula."
    )
    disaggregated = serializers.DictField(
        child=serializers.DictField(),
        required=False,
        help_text=(
            'Per dimension, each category\'s value ({"region": {"North": 2}}) or, for a KPI computed '
            'from its parts, each category\'s variables ({"grade": {"B": {"W": 3, "S": 10}}}).'
        ),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=_MAX_ID, help_text="The version read (0: none saved yet)."
    )


class ProgressSerializer(serializers.ModelSerializer[ProgressReport]):
    period_label = serializers.CharField(source="period.label", read_only=True)
    reported_by = Name(read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "activity",
            "period",
            "period_label",
            "percent_done",
            "status",
            "narrative",
            "obstacles",
            "reported_by",
            "reported_at",
            "version",
        ]


class ProgressWriteSerializer(StrictBody):
    percent_done = serializers.IntegerField(min_value=0, max_value=100)
    status = serializers.ChoiceField(choices=ActivityStatus.choices)
    narrative = serializers.CharField(max_length=20000)
    obstacles = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=_MAX_ID, help_text="The version read (0: none saved yet)."
    )


def _api_field(error: DomainError) -> str:
    """The body field a service's refusal names, written as a path: variables.B, disaggregated.grade.B.S."""
    if isinstance(error, rates.PartError):
        path = [p for p in (error.dimension, error.category, error.variable or "") if p]
        return ".".join(["disaggregated", *path])
    field = error.field or ""
    if field.startswith("var_"):
        return f"variables.{field[4:]}"
    if field.startswith("dis_"):
        return f"disaggregated.{field[4:]}"
    if field == "formula":
        return "variables"
    return field or "non_field_errors"


def _refused(error: DomainError) -> Response:
    if isinstance(error, StaleEdit):
        return Response(
            {"detail": str(error.message), "version": error.version}, status=status.HTTP_409_CONFLICT
        )
    raise ValidationError({_api_field(error): [str(error.message)]})


def _id_filter(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit() and 0 < len(raw) <= 10 and 0 < int(raw) <= _MAX_ID):
        raise ValidationError({name: [_("Give an id: a whole number from 1.")]})
    return int(raw)


def _list(ok: Any, *filters: str) -> Any:
    return extend_schema_view(
        get=extend_schema(
            parameters=[_ID_PARAMETERS[f] for f in filters], responses={200: ok, 400: _INVALID, **REFUSALS}
        )
    )


def _user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


@extend_schema_view(get=extend_schema(responses={200: PeriodSerializer(many=True), **REFUSALS}))
class PeriodList(Unscoped, generics.ListAPIView[ReportingPeriod]):
    pagination_class = StrictPagination
    serializer_class = PeriodSerializer

    def get_queryset(self) -> QuerySet[ReportingPeriod]:
        plan = plan_for(self.request, self.kwargs["pk"])
        return ReportingPeriod.objects.filter(plan=plan).order_by("start")


def _measurements() -> QuerySet[Measurement]:
    return Measurement.objects.select_related("kpi", "period", "entered_by", "verified_by")


@_list(MeasurementSerializer(many=True), "period", "kpi")
class MeasurementList(Unscoped, generics.ListAPIView[Measurement]):
    pagination_class = StrictPagination
    serializer_class = MeasurementSerializer

    def get_queryset(self) -> QuerySet[Measurement]:
        plan = plan_for(self.request, self.kwargs["pk"])
        rows = _measurements().filter(period__plan=plan)
        period, kpi = _id_filter(self.request, "period"), _id_filter(self.request, "kpi")
        if period is not None:
            rows = rows.filter(period_id=period)
        if kpi is not None:
            rows = rows.filter(kpi_id=kpi)
        return rows.order_by("period__start", "kpi__code")


class MeasurementOne(Unscoped, APIView):
    """One KPI's measurement in one period: read it, or enter it (a second PUT replaces it)."""

    def _where(self, request: Request, pk: int, period: int, kpi: int) -> tuple[Any, Any, Any]:
        plan = plan_for(request, pk)
        return plan, selectors.period_get(plan, period), selectors.plan_kpi_get(plan, kpi)

    @extend_schema(responses={200: MeasurementSerializer, **REFUSALS})
    def get(self, request: Request, pk: int, period: int, kpi: int) -> Response:
        _plan, found_period, indicator = self._where(request, pk, period, kpi)
        measurement = selectors.measurement_of(indicator, found_period)
        if measurement is None:
            return Response({"detail": _("Not measured yet.")}, status=status.HTTP_404_NOT_FOUND)
        return Response(MeasurementSerializer(_measurements().get(pk=measurement.pk)).data)

    @extend_schema(
        request=MeasurementWriteSerializer,
        responses={
            200: MeasurementSerializer,
            201: MeasurementSerializer,
            400: _INVALID,
            409: _STALE,
            **REFUSALS,
        },
    )
    def put(self, request: Request, pk: int, period: int, kpi: int) -> Response:
        _plan, found_period, indicator = self._where(request, pk, period, kpi)
        body = MeasurementWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        existed = selectors.measurement_of(indicator, found_period) is not None
        try:
            saved = services.measurement_enter(
                actor=_user(request),
                kpi=indicator,
                period=found_period,
                variables=data.get("variables") or {},
                disaggregated=data.get("disaggregated") or {},
                value=data.get("value"),
                note=data.get("note", ""),
                version=data.get("version"),
            )
        except DomainError as error:
            return _refused(error)
        return Response(
            MeasurementSerializer(_measurements().get(pk=saved.pk)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


def _reports() -> QuerySet[ProgressReport]:
    return ProgressReport.objects.select_related("period", "reported_by")


@_list(ProgressSerializer(many=True), "period", "activity")
class ProgressList(Unscoped, generics.ListAPIView[ProgressReport]):
    pagination_class = StrictPagination
    serializer_class = ProgressSerializer

    def get_queryset(self) -> QuerySet[ProgressReport]:
        plan = plan_for(self.request, self.kwargs["pk"])
        rows = _reports().filter(period__plan=plan)
        period, activity = _id_filter(self.request, "period"), _id_filter(self.request, "activity")
        if period is not None:
            rows = rows.filter(period_id=period)
        if activity is not None:
            rows = rows.filter(activity_id=activity)
        return rows.order_by("period__start", "activity_id")


class ProgressOne(Unscoped, APIView):
    """One activity's progress report in one period: read it, or report (a second PUT replaces it)."""

    def _where(self, request: Request, pk: int, period: int, activity: int) -> tuple[Any, Any, Any]:
        plan = plan_for(request, pk)
        return plan, selectors.period_get(plan, period), planning_selectors.activity_get(plan, activity)

    @extend_schema(responses={200: ProgressSerializer, **REFUSALS})
    def get(self, request: Request, pk: int, period: int, activity: int) -> Response:
        _plan, found_period, item = self._where(request, pk, period, activity)
        report = selectors.report_of(item, found_period)
        if report is None:
            return Response({"detail": _("Not reported yet.")}, status=status.HTTP_404_NOT_FOUND)
        return Response(ProgressSerializer(_reports().get(pk=report.pk)).data)

    @extend_schema(
        request=ProgressWriteSerializer,
        responses={
            200: ProgressSerializer,
            201: ProgressSerializer,
            400: _INVALID,
            409: _STALE,
            **REFUSALS,
        },
    )
    def put(self, request: Request, pk: int, period: int, activity: int) -> Response:
        _plan, found_period, item = self._where(request, pk, period, activity)
        body = ProgressWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        existed = selectors.report_of(item, found_period) is not None
        try:
            saved = services.progress_report(
                actor=_user(request),
                activity=item,
                period=found_period,
                percent_done=data["percent_done"],
                status=data["status"],
                narrative=data["narrative"],
                obstacles=data.get("obstacles", ""),
                version=data.get("version"),
            )
        except DomainError as error:
            return _refused(error)
        return Response(
            ProgressSerializer(_reports().get(pk=saved.pk)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )
