from django.urls import path

from arusha.monitoring import views

urlpatterns = [
    path("", views.dashboard, name="monitoring-dashboard"),
    path("setup/", views.setup_edit, name="monitoring-setup"),
    path("activities/", views.activity_list, name="monitoring-activities"),
    path("activities/<int:pk>/", views.activity_detail, name="monitoring-activity"),
    path("periods/", views.period_list, name="monitoring-periods"),
    path("periods/<int:pk>/", views.period_detail, name="monitoring-period"),
    path("periods/<int:pk>/activities/<int:activity>/", views.progress_edit, name="monitoring-progress"),
    path("periods/<int:pk>/kpis/<int:kpi>/", views.measurement_edit, name="monitoring-measurement"),
    path("measurements/<int:pk>/verify/", views.measurement_verify, name="monitoring-verify"),
    path("meetings/", views.meeting_list, name="monitoring-meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="monitoring-meeting"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="monitoring-follow-up-close"),
    path("work-plan/", views.workplan, name="monitoring-workplan"),
    path("work-plan/<int:pk>/done/", views.task_done, name="monitoring-task-done"),
    path("alerts/", views.alert_list, name="monitoring-alerts"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="monitoring-alert-acknowledge"),
    path("evaluation/", views.evaluation, name="monitoring-evaluation"),
    path(
        "evaluation/objectives/<int:pk>/",
        views.evaluation_save,
        {"kind": "objective"},
        name="monitoring-evaluate-objective",
    ),
    path("evaluation/kpis/<int:pk>/", views.evaluation_save, {"kind": "kpi"}, name="monitoring-evaluate-kpi"),
    path("evaluation/gaps/<str:code>/", views.gap_save, name="monitoring-gap-save"),
    # The evaluation and review reports, written by the worker (views/reports.py).
    path(
        "evaluation/report/<str:fmt>/",
        views.report_page,
        {"report": "evaluation"},
        name="monitoring-evaluation-report",
    ),
    path(
        "evaluation/report/<str:fmt>/progress/",
        views.report_progress,
        {"report": "evaluation"},
        name="monitoring-evaluation-report-progress",
    ),
    path(
        "evaluation/report/<str:fmt>/<int:pk>/",
        views.report_file,
        {"report": "evaluation"},
        name="monitoring-evaluation-report-file",
    ),
    path(
        "review/report/<str:fmt>/", views.report_page, {"report": "review"}, name="monitoring-review-report"
    ),
    path(
        "review/report/<str:fmt>/progress/",
        views.report_progress,
        {"report": "review"},
        name="monitoring-review-report-progress",
    ),
    path(
        "review/report/<str:fmt>/<int:pk>/",
        views.report_file,
        {"report": "review"},
        name="monitoring-review-report-file",
    ),
    path("review/", views.review, name="monitoring-review"),
    path("review/next-cycle/", views.cycle_start, name="monitoring-cycle-start"),
    path("review/next-plan/", views.next_plan, name="monitoring-next-plan"),
]
