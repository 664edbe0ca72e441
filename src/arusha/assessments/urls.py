from django.urls import path

from arusha.assessments import views

urlpatterns = [
    path("", views.assessment_list, name="assessment-list"),
    path("new/", views.assessment_create, name="assessment-create"),
    path("import/", views.assessment_import, name="assessment-import"),
    path("<int:assessment>/", views.assessment_detail, name="assessment-detail"),
    path("<int:assessment>/workplan/", views.workplan, name="assessment-workplan"),
    path("<int:assessment>/workplan/<int:pk>/", views.task_edit, name="assessment-task-edit"),
    path("<int:assessment>/participants/", views.participant_list, name="assessment-participants"),
    path("<int:assessment>/participants/invite/", views.participant_invite, name="assessment-invite"),
    path(
        "<int:assessment>/participants/<int:pk>/", views.participant_edit, name="assessment-participant-edit"
    ),
    path(
        "<int:assessment>/participants/<int:pk>/revoke/",
        views.participant_revoke,
        name="assessment-participant-revoke",
    ),
    path("<int:assessment>/groups/", views.working_group_list, name="assessment-groups"),
    path("<int:assessment>/groups/new/", views.working_group_edit, name="assessment-group-create"),
    path("<int:assessment>/groups/<int:pk>/", views.working_group_edit, name="assessment-group-edit"),
    path("<int:assessment>/documents/", views.document_list, name="assessment-documents"),
    path("<int:assessment>/documents/new/", views.document_add, name="assessment-document-add"),
    path(
        "<int:assessment>/documents/<int:pk>/review/",
        views.document_review,
        name="assessment-document-review",
    ),
    path(
        "<int:assessment>/documents/<int:pk>/file/", views.document_download, name="assessment-document-file"
    ),
    path("<int:assessment>/terms/", views.terms, name="assessment-terms"),
    path("<int:assessment>/terms/edit/", views.terms_edit, name="assessment-terms-edit"),
    path(
        "<int:assessment>/terms/terms-of-reference.<str:fmt>",
        views.terms_export,
        name="assessment-terms-export",
    ),
    path("<int:assessment>/terms/sessions/", views.session_add, name="assessment-session-add"),
    path(
        "<int:assessment>/terms/sessions/<int:pk>/delete/",
        views.session_delete,
        name="assessment-session-delete",
    ),
    path("<int:assessment>/analysis/", views.analysis, name="assessment-analysis"),
    # Before the question pages, whose codes would otherwise swallow "workbook".
    path("<int:assessment>/analysis/workbook/", views.workbook_import, name="assessment-workbook"),
    path(
        "<int:assessment>/analysis/workbook/progress/",
        views.workbook_import_progress,
        name="assessment-workbook-progress",
    ),
    path(
        "<int:assessment>/analysis/workbook/download/",
        views.workbook_export,
        name="assessment-workbook-export",
    ),
    path("<int:assessment>/analysis/<str:code>/", views.response_edit, name="assessment-response"),
    path(
        "<int:assessment>/analysis/<str:code>/autosave/",
        views.response_autosave,
        name="assessment-response-autosave",
    ),
    path(
        "<int:assessment>/analysis/<str:code>/discard/",
        views.response_discard,
        name="assessment-response-discard",
    ),
    path(
        "<int:assessment>/analysis/<str:code>/status/",
        views.response_status,
        name="assessment-response-status",
    ),
    path(
        "<int:assessment>/analysis/<str:code>/comments/",
        views.response_comment,
        name="assessment-response-comment",
    ),
    path(
        "<int:assessment>/analysis/<str:code>/files/<int:pk>/",
        views.response_file,
        name="assessment-response-file",
    ),
    path(
        "<int:assessment>/analysis/<str:code>/compare/",
        views.response_compare,
        name="assessment-response-compare",
    ),
    path("<int:assessment>/findings/", views.finding_list, name="assessment-findings"),
    path("<int:assessment>/findings/new/", views.finding_edit, name="assessment-finding-create"),
    path("<int:assessment>/findings/<int:pk>/", views.finding_edit, name="assessment-finding-edit"),
    path(
        "<int:assessment>/findings/<int:pk>/delete/", views.finding_delete, name="assessment-finding-delete"
    ),
    path("<int:assessment>/visits/", views.field_visits, name="assessment-visits"),
    path("<int:assessment>/visits/new/", views.field_visit_add, name="assessment-visit-add"),
    path("<int:assessment>/results/", views.results, name="assessment-results"),
    path("<int:assessment>/report/", views.report, name="assessment-report"),
    path("<int:assessment>/report/texts/", views.report_text, name="assessment-report-text"),
    path("<int:assessment>/report/generate/", views.report_generate, name="assessment-report-generate"),
    path("<int:assessment>/report/progress/", views.report_progress, name="assessment-report-progress"),
    path(
        "<int:assessment>/report/<int:pk>/report.<str:fmt>",
        views.report_download,
        name="assessment-report-file",
    ),
    path("<int:assessment>/report/feedback/", views.feedback, name="assessment-feedback"),
    path("<int:assessment>/export.json", views.assessment_export, name="assessment-export"),
]
