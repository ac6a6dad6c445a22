"""Staff pages of the planning app (mounted at /plan/ in sangathan.config.urls)."""

from django.urls import path

from sangathan.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.home, name="home"),
    path("unit/<int:pk>/", views.dashboard, name="dashboard"),
    path("unit/<int:pk>/late/", views.late, name="late"),
    path("unit/<int:pk>/new/", views.plan_create, name="create"),
    path("unit/<int:pk>/refresh/", views.refresh, name="refresh"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/milestones/add/", views.milestone_add, name="milestone_add"),
]
