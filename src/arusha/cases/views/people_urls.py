"""URLs of the cases context's people screens (included by arusha.cases.urls)."""

from django.urls import URLPattern, path

from arusha.cases.views import channels, people, subjects

urlpatterns: list[URLPattern] = [
    path("vault/", people.vault, name="cases-vault"),
    path("<uuid:case>/people/", people.case_people, name="case-people"),
    path("<uuid:case>/people/assign/", people.case_assign, name="case-assign"),
    path("<uuid:case>/people/concerned/", subjects.case_subjects, name="case-subjects"),
    path(
        "<uuid:case>/people/concerned/<int:pk>/remove/",
        subjects.case_subject_remove,
        name="case-subject-remove",
    ),
    path("<uuid:case>/people/<int:pk>/attest/", people.case_attest, name="case-attest"),
    path("<uuid:case>/people/<int:pk>/end/", people.case_assignment_end, name="case-assignment-end"),
    path("<uuid:case>/people/override/", people.case_override_request, name="case-override-request"),
    path(
        "<uuid:case>/people/overrides/<int:pk>/approve/",
        people.case_override_approve,
        name="case-override-approve",
    ),
    path(
        "<uuid:case>/people/overrides/<int:pk>/refuse/",
        people.case_override_refuse,
        name="case-override-refuse",
    ),
    path("<uuid:case>/disclosure/", people.case_disclosure_request, name="case-disclosure-request"),
    path("disclosures/", people.disclosure_list, name="disclosure-list"),
    path("disclosures/<int:pk>/decide/", people.disclosure_decide, name="disclosure-decide"),
    path("relationships/", people.relationship_list, name="relationship-list"),
    path("relationships/<int:pk>/end/", people.relationship_end, name="relationship-end"),
    path("channels/", channels.channel_list, name="channel-list"),
    path("channels/new/", channels.channel_add, name="channel-add"),
    path("channels/<int:pk>/", channels.channel_edit, name="channel-edit"),
    path("categories/", channels.category_list, name="category-list"),
    path("categories/<int:pk>/", channels.category_edit, name="category-edit"),
    path("settings/", channels.settings_edit, name="case-settings"),
]
