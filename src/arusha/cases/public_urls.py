"""Reporters' pages, under /report/<organization>/: no sign-in, no cookie, no address kept."""

from django.urls import URLPattern, path, re_path

from arusha.cases.views import public

urlpatterns: list[URLPattern] = [
    path("", public.report_start, name="report-start"),
    # Before the channels: a channel whose web address is "follow-up" would be hidden by it.
    path("follow-up/", public.report_followup, name="report-followup"),
    path("<slug:channel>/", public.report_channel, name="report-channel"),
    # Anything else under a reporter's address gets the reporters' own 404, which sets no cookie.
    re_path(r"^.+$", public.report_not_found, name="report-not-found"),
]
