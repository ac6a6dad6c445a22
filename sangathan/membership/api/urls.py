"""The membership drive's API, mounted at /api/v1/membership/ in sangathan.config.urls."""

from django.urls import path

from sangathan.membership.api import views

app_name = "membership_api"

urlpatterns = [
    path("members/", views.MemberListCreateApi.as_view(), name="member-list"),
    path("members/<int:pk>/", views.MemberDetailApi.as_view(), name="member-detail"),
    path("members/<int:pk>/revoke/", views.MemberRevokeApi.as_view(), name="member-revoke"),
    path("members/<int:pk>/review/", views.MemberReviewApi.as_view(), name="member-review"),
    path("duplicates/", views.DuplicateListApi.as_view(), name="duplicate-list"),
    path("duplicates/<int:pk>/decide/", views.DuplicateDecideApi.as_view(), name="duplicate-decide"),
    path("units/<int:unit_id>/counts/", views.UnitCountsApi.as_view(), name="unit-counts"),
    path("units/<int:unit_id>/children/", views.UnitChildrenCountsApi.as_view(), name="unit-children"),
    path("units/<int:unit_id>/leaderboard/", views.LeaderboardApi.as_view(), name="unit-leaderboard"),
    path("import-jobs/", views.ImportCreateApi.as_view(), name="import-create"),
    path("import-jobs/<int:pk>/", views.ImportDetailApi.as_view(), name="import-detail"),
]
