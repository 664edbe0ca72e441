"""Staff screens of perception surveys, under /o/<organization>/surveys/.

Stations and respondents: arusha.surveys.public_urls.
"""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
