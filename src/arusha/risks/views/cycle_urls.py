"""Assessment cycles, under /o/<organization>/risks/ (the section's landing page is the list)."""

from django.urls import URLPattern, URLResolver, path

from arusha.risks.views import cycle_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.cycle_list, name="cycle-list"),
    path("add/", views.cycle_add, name="cycle-add"),
    path("<int:cycle>/", views.cycle_detail, name="cycle-detail"),
    path("<int:cycle>/edit/", views.cycle_edit, name="cycle-edit"),
    path("<int:cycle>/advance/", views.cycle_advance, name="cycle-advance"),
    path("<int:cycle>/return/", views.cycle_return, name="cycle-return"),
    path("<int:cycle>/members/", views.cycle_members, name="cycle-members"),
    path("<int:cycle>/members/<int:member>/remove/", views.member_remove, name="cycle-member-remove"),
    path("<int:cycle>/members/<int:member>/declare/", views.member_declare, name="member-declare"),
    path("<int:cycle>/evidence/", views.cycle_evidence, name="cycle-evidence"),
    path("<int:cycle>/evidence/add/", views.evidence_add, name="cycle-evidence-add"),
    path("<int:cycle>/evidence/<int:evidence>/remove/", views.evidence_remove, name="cycle-evidence-remove"),
]
