"""Performance contracts and their scorecards, under /o/<organization>/analytics/."""

from django.urls import URLPattern, path

from arusha.analytics.views import contract_views as views

urlpatterns: list[URLPattern] = [
    path("contracts/", views.contract_list, name="contract-list"),
    path("contracts/new/", views.contract_add, name="contract-add"),
    path("contracts/<int:contract>/", views.contract_detail, name="contract-detail"),
    path("contracts/<int:contract>/edit/", views.contract_edit, name="contract-edit"),
    path("contracts/<int:contract>/agree/", views.contract_agree, name="contract-agree"),
    path("contracts/<int:contract>/close/", views.contract_close, name="contract-close"),
    path("contracts/<int:contract>/export/<str:fmt>/", views.contract_export, name="contract-export"),
]
