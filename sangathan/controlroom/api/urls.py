"""The control-room API, mounted at /api/v1/controlroom/ in sangathan.config.urls."""

from django.urls import path

from sangathan.controlroom.api import views

app_name = "controlroom_api"

urlpatterns = [
    path("rollups/", views.RollupListApi.as_view(), name="rollup-list"),
    path("units/<int:pk>/scorecards/", views.UnitScorecardsApi.as_view(), name="unit-scorecards"),
    path("units/<int:pk>/needs-attention/", views.NeedsAttentionApi.as_view(), name="unit-needs-attention"),
    path("scorecards/<int:pk>/", views.BearerScorecardApi.as_view(), name="bearer-scorecard"),
    path("reports/", views.ReportListApi.as_view(), name="report-list"),
    path("reports/<int:pk>/<str:fmt>/", views.ReportDownloadApi.as_view(), name="report-download"),
    path("alerts/", views.AlertListApi.as_view(), name="alert-list"),
    path("activity-reports/", views.ActivityReportCreateApi.as_view(), name="activity-report-create"),
]
