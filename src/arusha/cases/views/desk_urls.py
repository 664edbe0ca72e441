"""URLs of the cases context's desk screens (included by arusha.cases.urls)."""

from django.urls import URLPattern, path

from arusha.cases.views import classify, desk

urlpatterns: list[URLPattern] = [
    path("", desk.case_list, name="case-list"),
    path("export/", desk.case_export, name="case-export"),
    path("record/", desk.case_record, name="case-record"),
    path("<uuid:case>/", desk.case_detail, name="case-detail"),
    path("<uuid:case>/messages/", desk.case_message, name="case-message"),
    path("<uuid:case>/move/", desk.case_move, name="case-move"),
    path("<uuid:case>/hold/", desk.case_hold, name="case-hold"),
    path("<uuid:case>/classify/", classify.case_classify_view, name="case-classify"),
    path("<uuid:case>/files/<int:pk>/", desk.case_file, name="case-file"),
]
