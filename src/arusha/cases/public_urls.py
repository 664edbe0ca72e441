"""Reporters' pages, under /report/<organization>/: no sign-in, no cookie, no address kept."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
