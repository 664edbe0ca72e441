"""URLs of the collection screens (included by arusha.surveys.urls): survey stations and invitations.

The station app itself and the online survey are public: arusha.surveys.public_urls.
"""

from django.urls import URLPattern, path

from arusha.surveys.views import station_staff_views as views

urlpatterns: list[URLPattern] = [
    path("stations/", views.station_list, name="station-list"),
    path("stations/add/", views.station_add, name="station-add"),
    path("stations/<int:station>/enrol/", views.station_enrol, name="station-enrol"),
    path("stations/<int:station>/retire/", views.station_retire_view, name="station-retire"),
    path("waves/<int:wave>/invitations/", views.invitation_list, name="invitation-list"),
    path("waves/<int:wave>/invitations/add/", views.invitation_add, name="invitation-add"),
    path("waves/<int:wave>/invitations/download/", views.invitation_csv, name="invitation-csv"),
]
