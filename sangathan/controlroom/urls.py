"""Staff pages of the controlroom app (mounted at /controlroom/ in sangathan.config.urls)."""

from django.urls import path

from sangathan.controlroom import views

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
]
