"""The plan API, mounted at /api/v1/plan/ in sangathan.config.urls."""

from django.urls import path

from sangathan.planning.api import views

app_name = "planning_api"

urlpatterns = [
    path("plans/", views.PlanListCreateApi.as_view(), name="plan-list"),
    path("plans/<int:pk>/", views.PlanDetailApi.as_view(), name="plan-detail"),
    path("plans/<int:pk>/milestones/", views.MilestoneAddApi.as_view(), name="milestone-add"),
    path("milestones/<int:pk>/", views.MilestoneDetailApi.as_view(), name="milestone-detail"),
    path("units/<int:pk>/progress/", views.UnitProgressApi.as_view(), name="unit-progress"),
    path("units/<int:pk>/progress/children/", views.UnitChildrenProgressApi.as_view(), name="unit-children-progress"),
]
