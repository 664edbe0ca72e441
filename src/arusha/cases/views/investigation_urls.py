"""URLs of the cases context's investigation screens (included by arusha.cases.urls)."""

from django.urls import URLPattern, path

from arusha.cases.views import investigation as v
from arusha.cases.views import referral as r

_I = "<uuid:case>/investigation/"

urlpatterns: list[URLPattern] = [
    path(_I, v.investigation, name="case-investigation"),
    path(f"{_I}plan/", v.plan_edit, name="case-investigation-plan"),
    path(f"{_I}plan/approve/", v.plan_approve, name="case-investigation-plan-approve"),
    path(f"{_I}allegations/new/", v.allegation_add, name="case-investigation-allegation-add"),
    path(f"{_I}allegations/<int:pk>/", v.allegation_edit, name="case-investigation-allegation"),
    path(f"{_I}allegations/<int:pk>/finding/", v.finding, name="case-investigation-finding"),
    path(f"{_I}allegations/<int:pk>/review/", v.finding_review, name="case-investigation-finding-review"),
    path(f"{_I}allegations/<int:pk>/decision/", v.sanction_add, name="case-investigation-sanction"),
    path(f"{_I}evidence/new/", v.evidence_add, name="case-investigation-evidence-add"),
    path(f"{_I}evidence/<int:pk>/", v.evidence_detail, name="case-investigation-evidence"),
    path(f"{_I}evidence/<int:pk>/file/", v.evidence_file, name="case-investigation-evidence-file"),
    path(f"{_I}interviews/new/", v.interview_add, name="case-investigation-interview-add"),
    path(f"{_I}protection/new/", v.protection_add, name="case-investigation-protection-add"),
    path(f"{_I}recommendations/new/", v.recommendation_add, name="case-investigation-recommendation-add"),
    path(f"{_I}referrals/new/", r.referral_add, name="case-investigation-referral-add"),
    path(f"{_I}referrals/<int:pk>/package/", r.referral_file, name="case-investigation-referral-file"),
    path("recommendations/", v.recommendation_list, name="case-recommendations"),
    path("authorities/", r.authority_list, name="authority-list"),
    path("authorities/<int:pk>/", r.authority_edit, name="authority-edit"),
]
