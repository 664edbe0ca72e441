from django.urls import path

from arusha.core import access_views, views

account_urls = [
    path("preferences/", views.preferences, name="preferences"),
    path("notifications/", views.notifications, name="notifications"),
    path("language/", views.set_language, name="set-language"),
]

organization_urls = [
    path("", views.organization_home, name="organization-home"),
    path("settings/", views.organization_edit, name="organization-edit"),
    path("divisions/", views.division_list, name="division-list"),
    path("divisions/new/", views.division_create, name="division-create"),
    path("divisions/<int:pk>/", views.division_detail, name="division-detail"),
    path("divisions/<int:pk>/edit/", views.division_edit, name="division-edit"),
    path("members/", views.member_list, name="member-list"),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("roles/", access_views.role_list, name="role-list"),
    path("roles/new/", access_views.role_create, name="role-create"),
    path("roles/<int:pk>/", access_views.role_edit, name="role-edit"),
    path("access/", access_views.grant_list, name="grant-list"),
    path("access/<slug:kind>/<int:pk>/new/", access_views.grant_create, name="grant-create"),
    path("access/<int:pk>/revoke/", access_views.grant_revoke, name="grant-revoke"),
    path("audit/", views.audit_list, name="audit-list"),
    path("history/<slug:kind>/<int:pk>/", views.object_history, name="object-history"),
    path("objects/<slug:kind>/<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("objects/<slug:kind>/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
]
