"""Staff pages of the outreach app (mounted at /outreach/ in sangathan.config.urls)."""

from django.urls import path

from sangathan.outreach import views, views_drives

app_name = "outreach"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("new/", views.message_new, name="new"),
    path("drives/", views_drives.drive_list, name="drives"),
    path("drives/new/", views_drives.drive_new, name="drive_new"),
    path("drives/<int:pk>/", views_drives.drive_detail, name="drive"),
    path("drives/<int:pk>/panel/", views_drives.drive_panel, name="drive_panel"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/edit/", views.message_edit, name="edit"),
    path("<int:pk>/track/", views.track, name="track"),
    path("<int:pk>/track/panel/", views.track_panel, name="track_panel"),
    path("<int:pk>/report.<str:fmt>", views.report, name="report"),
    path("<int:pk>/<str:step>/", views.message_step, name="step"),
    path("unit/<int:unit_id>/", views.unit_history, name="unit"),
    path("rules/<int:unit_id>/", views.rule, name="rule"),
]
