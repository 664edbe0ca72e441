from django.urls import path

from arusha.planning import export_views, kpi_views, reference_views, views

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_create, name="plan-create"),
    path("strategic-objectives/", kpi_views.strategic_objectives, name="plan-strategic-objectives"),
    path("kpis/", kpi_views.kpi_list, name="kpi-list"),
    path("kpis/new/", kpi_views.kpi_edit, name="kpi-create"),
    path("kpis/<int:pk>/", kpi_views.kpi_detail, name="kpi-detail"),
    path("kpis/<int:pk>/edit/", kpi_views.kpi_edit, name="kpi-edit"),
    path("kpis/<int:pk>/sheet.<str:fmt>", kpi_views.kpi_export, name="kpi-export"),
    path("kpis/<int:pk>/references/", reference_views.kpi_references, name="kpi-references"),
    path(
        "kpis/<int:kpi>/references/<int:pk>/delete/",
        reference_views.kpi_reference_delete,
        name="kpi-reference-delete",
    ),
    path("<int:plan>/kpis/link/", views.kpi_link, name="plan-kpi-link"),
    path("<int:plan>/", views.plan_detail, name="plan-detail"),
    path("<int:plan>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:plan>/outcomes/new/", views.outcome_add, name="plan-outcome-add"),
    path("<int:plan>/objectives/new/", views.objective_add, name="plan-objective-add"),
    path("<int:plan>/activities/new/", views.activity_add, name="plan-activity-add"),
    path("<int:plan>/findings/", views.plan_findings, name="plan-findings"),
    path("<int:plan>/board/", views.plan_board, name="plan-board"),
    path("<int:plan>/stakeholders/", views.plan_stakeholders, name="plan-stakeholders"),
    path("<int:plan>/resources/", views.plan_resources, name="plan-resources"),
    path("<int:plan>/adoption/", views.plan_adoption, name="plan-adoption"),
    path("<int:plan>/timeline/", views.plan_timeline, name="plan-timeline"),
    path("<int:plan>/export/<str:fmt>/", export_views.plan_export, name="plan-export"),
    path(
        "<int:plan>/export/<str:fmt>/progress/",
        export_views.plan_export_progress,
        name="plan-export-progress",
    ),
    path("<int:plan>/export/<str:fmt>/<int:pk>/", export_views.plan_export_file, name="plan-export-file"),
    path("<int:plan>/activities/<int:pk>/", views.activity_edit, name="plan-activity"),
    path("<int:plan>/activities/<int:pk>/details/", views.activity_details, name="plan-activity-details"),
]
