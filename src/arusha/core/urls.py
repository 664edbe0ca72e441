from django.urls import path

from arusha.core import views

account_urls = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("preferences/", views.preferences, name="preferences"),
    path("api-token/", views.api_token, name="api-token"),
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
    path("members/new/", views.member_add, name="member-add"),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("audit/", views.audit_list, name="audit-list"),
    path("history/<slug:kind>/<int:pk>/", views.object_history, name="object-history"),
    path("objects/<slug:kind>/<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("objects/<slug:kind>/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
]
