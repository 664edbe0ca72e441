"""The read API of action planning: plans, their activities, and the KPI library.

Every endpoint answers only for what the person may see (the plans their roles or
grants let them read, in the token's organization); anything else is 404, as on the
screens. Monitoring (arusha.monitoring.api) finds its plans through `plan_for()`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request

from arusha.accounts.selectors import api_organization_id
from arusha.assessments.api import ErrorSerializer, StrictPagination
from arusha.assessments.api import _Unscoped as Unscoped  # the API's one way to serve several organizations
from arusha.core.access import ObjectPolicy, access_of, read
from arusha.core.models import Membership, User
from arusha.planning.access import KpiPolicy, PlanPolicy
from arusha.planning.models import ActionPlan, Activity, Kpi, KpiReference, KpiTarget, Objective, Outcome

__all__ = ["REFUSALS", "Name", "Unscoped", "plan_for", "visible_plans"]

# Every status a read endpoint can answer (the OpenAPI fuzzer checks that nothing else comes).
REFUSALS = {
    401: OpenApiResponse(ErrorSerializer, description="No valid token (or session): sign in or send one."),
    403: OpenApiResponse(ErrorSerializer, description="The token or account may not do this."),
    404: OpenApiResponse(
        ErrorSerializer, description="No such object among those the person may see, or no such page."
    ),
}


def _visible(policy: ObjectPolicy[Any], user: User, organization_id: int | None) -> Q:
    """The objects of `policy`'s kind the person may see in each organization they are a member of.

    Used unscoped (the API serves several organizations), so filtered here; a token acts
    only inside its organization (`organization_id`).
    """
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("organization")
    if organization_id is not None:
        memberships = memberships.filter(organization_id=organization_id)
    wanted = Q(pk__in=[])
    for membership in memberships:
        organization = membership.organization
        mine = policy.model._default_manager.filter(organization=organization)
        wanted |= Q(pk__in=policy.visible(access_of(user, organization), mine).values("pk"))
    return wanted


def visible_plans(request: Request) -> QuerySet[ActionPlan]:
    user: User = request.user  # type: ignore[assignment]
    return ActionPlan.objects.filter(_visible(PlanPolicy(), user, api_organization_id(request)))


def plan_for(request: Request, pk: int) -> ActionPlan:
    """A plan the person may see, or 404 (missing and "not yours" alike)."""
    plan = visible_plans(request).select_related("organization").filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def visible_kpis(request: Request) -> QuerySet[Kpi]:
    user: User = request.user  # type: ignore[assignment]
    return Kpi.objects.filter(_visible(KpiPolicy(), user, api_organization_id(request)))


class PlanSerializer(serializers.ModelSerializer[ActionPlan]):
    organization: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "organization",
            "title",
            "assessment",
            "status",
            "revision",
            "adopted_on",
            "published",
            "period_start",
            "period_end",
            "strategic_plan",
            "national_strategy",
        ]


class OutcomeSerializer(serializers.ModelSerializer[Outcome]):
    class Meta:
        model = Outcome
        fields = ["id", "level", "statement"]


class ObjectiveSerializer(serializers.ModelSerializer[Objective]):
    kpis = serializers.SerializerMethodField(help_text="The ids of the KPIs that measure the objective.")

    class Meta:
        model = Objective
        fields = ["id", "outcome", "what", "measure", "target", "deadline", "kpis"]

    def get_kpis(self, objective: Objective) -> list[int]:
        # Kpi.objectives' reverse accessor, prefetched; the stubs do not see reverse many-to-many here.
        return [k.pk for k in objective.kpis.all()]  # type: ignore[attr-defined]


class PlanDetailSerializer(PlanSerializer):
    outcomes = OutcomeSerializer(many=True, read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "outcomes", "objectives"]


@extend_schema_field(OpenApiTypes.STR)
class Name(serializers.Field):  # type: ignore[type-arg]
    """A person or a division by name, as the plan shows them (never an e-mail address)."""

    def to_representation(self, value: Any) -> str:
        return str(value)


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    performer = Name(allow_null=True, read_only=True)
    responsible_division = Name(allow_null=True, read_only=True)
    kpis = serializers.SerializerMethodField(help_text="The ids of the activity's own KPIs.")
    strategic_objectives = serializers.SerializerMethodField(help_text="Codes of the strategic objectives.")

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "description",
            "objective",
            "area_code",
            "strategic_objectives",
            "responsible_division",
            "performer",
            "kpis",
            "target",
            "target_value",
            "start_date",
            "due_date",
            "budget_amount",
            "budget_currency",
            "budget_source",
            "priority",
            "confidential",
            "version",
        ]

    def get_kpis(self, activity: Activity) -> list[int]:
        return [k.pk for k in activity.kpis.all()]

    def get_strategic_objectives(self, activity: Activity) -> list[str]:
        return [s.code for s in activity.strategic_objectives.all()]


class TargetSerializer(serializers.ModelSerializer[KpiTarget]):
    class Meta:
        model = KpiTarget
        fields = ["date", "value"]


class ReferenceSerializer(serializers.ModelSerializer[KpiReference]):
    class Meta:
        model = KpiReference
        fields = ["id", "label", "source", "date", "value"]


class KpiSerializer(serializers.ModelSerializer[Kpi]):
    organization: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    owner = Name(allow_null=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)
    reference_values = ReferenceSerializer(many=True, read_only=True)

    class Meta:
        model = Kpi
        fields = [
            "id",
            "organization",
            "code",
            "name",
            "description",
            "performance_dimension",
            "formula",
            "variables",
            "unit",
            "value_format",
            "decimals",
            "parts_computed",
            "periodicity",
            "disaggregation",
            "baseline_value",
            "baseline_date",
            "direction",
            "disclosure",
            "source_of_verification",
            "owner",
            "targets",
            "reference_values",
            "version",
        ]


def _documented(ok: Any) -> Any:
    return extend_schema_view(get=extend_schema(responses={200: ok, **REFUSALS}))


@_documented(PlanSerializer(many=True))
class PlanList(Unscoped, generics.ListAPIView[ActionPlan]):
    pagination_class = StrictPagination
    serializer_class = PlanSerializer

    def get_queryset(self) -> QuerySet[ActionPlan]:
        return visible_plans(self.request).select_related("organization").order_by("-period_start", "-id")


@_documented(PlanDetailSerializer)
class PlanDetail(Unscoped, generics.RetrieveAPIView[ActionPlan]):
    serializer_class = PlanDetailSerializer

    def get_object(self) -> ActionPlan:
        plan = plan_for(self.request, self.kwargs["pk"])
        return (
            ActionPlan.objects.filter(pk=plan.pk)
            .select_related("organization")
            .prefetch_related("outcomes", Prefetch("objectives", Objective.objects.prefetch_related("kpis")))
            .get()
        )


@_documented(ActivitySerializer(many=True))
class ActivityList(Unscoped, generics.ListAPIView[Activity]):
    pagination_class = StrictPagination
    serializer_class = ActivitySerializer

    def get_queryset(self) -> QuerySet[Activity]:
        plan = plan_for(self.request, self.kwargs["pk"])
        return (
            Activity.objects.filter(plan=plan)
            .select_related("performer", "responsible_division", "plan__organization")
            .prefetch_related("kpis", "strategic_objectives")
            .order_by("id")
        )

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        user: User = self.request.user  # type: ignore[assignment]
        for activity in page or []:
            if activity.confidential:
                read(user, activity)  # a confidential activity's readers are recorded, as on the screens
        return page


def _kpis() -> QuerySet[Kpi]:
    return Kpi.objects.select_related("organization", "owner").prefetch_related("targets", "reference_values")


@_documented(KpiSerializer(many=True))
class KpiList(Unscoped, generics.ListAPIView[Kpi]):
    pagination_class = StrictPagination
    serializer_class = KpiSerializer

    def get_queryset(self) -> QuerySet[Kpi]:
        return (
            _kpis().filter(pk__in=visible_kpis(self.request).values("pk")).order_by("organization_id", "code")
        )


@_documented(KpiSerializer)
class KpiDetail(Unscoped, generics.RetrieveAPIView[Kpi]):
    serializer_class = KpiSerializer

    def get_object(self) -> Kpi:
        kpi = _kpis().filter(pk__in=visible_kpis(self.request).values("pk"), pk=self.kwargs["pk"]).first()
        if kpi is None:
            raise Http404
        return kpi
