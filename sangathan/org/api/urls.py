"""The org API under /api/v1/ (see sangathan.config.urls)."""

from django.urls import path

from sangathan.org.api import views

app_name = "api"

urlpatterns = [
    path("levels/", views.LevelListApi.as_view(), name="level-list"),
    path("positions/", views.PositionListApi.as_view(), name="position-list"),
    path("units/", views.UnitListCreateApi.as_view(), name="unit-list"),
    path("units/<int:pk>/", views.UnitDetailApi.as_view(), name="unit-detail"),
    path("units/<int:pk>/coverage/", views.UnitCoverageApi.as_view(), name="unit-coverage"),
    path("units/<int:pk>/committee/", views.UnitCommitteeApi.as_view(), name="unit-committee"),
    path("units/<int:pk>/dissolve/", views.UnitDissolveApi.as_view(), name="unit-dissolve"),
    path("people/", views.PersonListCreateApi.as_view(), name="person-list"),
    path("people/<int:pk>/", views.PersonDetailApi.as_view(), name="person-detail"),
    path("appointments/", views.AppointmentListCreateApi.as_view(), name="appointment-list"),
    path("appointments/<int:pk>/", views.AppointmentDetailApi.as_view(), name="appointment-detail"),
    path("appointments/<int:pk>/relieve/", views.AppointmentRelieveApi.as_view(), name="appointment-relieve"),
]
