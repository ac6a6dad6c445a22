"""The training API, mounted at /api/v1/training/ in sangathan.config.urls."""

from django.urls import path

from sangathan.training.api import views

app_name = "training_api"

urlpatterns = [
    path("camps/", views.CampListCreateApi.as_view(), name="camp-list"),
    path("camps/<int:pk>/", views.CampDetailApi.as_view(), name="camp-detail"),
    path("camps/<int:pk>/invitations/", views.InvitationListCreateApi.as_view(), name="invitation-list"),
    path("camps/<int:pk>/invitations/generate/", views.InvitationGenerateApi.as_view(), name="invitation-generate"),
    path("camps/<int:pk>/attendance/", views.AttendanceListMarkApi.as_view(), name="attendance-list"),
    path("completions/", views.CompletionListApi.as_view(), name="completion-list"),
]
