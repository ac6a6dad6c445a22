"""Staff pages of the controlroom app (mounted at /controlroom/ in sangathan.config.urls)."""

from django.urls import path

from sangathan.controlroom import views, views_alerts, views_scorecards

app_name = "controlroom"

urlpatterns = [
    path("", views.home, name="home"),
    path("unit/<int:pk>/", views.wall, name="wall"),
    path("unit/<int:pk>/panel/", views.panel, name="panel"),
    path("unit/<int:pk>/refresh/", views.refresh, name="refresh"),
    path("unit/<int:pk>/send-links/", views.send_links, name="send_links"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/<fmt>/", views.report_download, name="report_download"),
    path("national/", views.national, name="national"),
    path("unit/<int:pk>/scorecards/", views_scorecards.unit_scorecards, name="scorecards"),
    path("unit/<int:pk>/needs-attention/", views_scorecards.needs_attention, name="needs_attention"),
    path("scorecard/<int:pk>/", views_scorecards.bearer_scorecard, name="bearer_scorecard"),
    path("alerts/unit/<int:pk>/", views_alerts.alert_list, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", views_alerts.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/assign/", views_alerts.alert_assign, name="alert_assign"),
]
