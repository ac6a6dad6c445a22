"""Staff pages of the channels app (mounted at /channels/ in sangathan.config.urls)."""

from django.urls import path

from sangathan.channels import views

app_name = "channels"

urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:pk>/", views.unit_channels, name="unit"),
    path("units/<int:pk>/area/", views.area, name="area"),
    path("units/<int:pk>/register/", views.register, name="register"),
    path("units/<int:pk>/import/", views.import_upload, name="import"),
    path("imports/<int:pk>/", views.import_preview, name="import_preview"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/remove/", views.deactivate, name="deactivate"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/numbers/", views.numbers, name="numbers"),
    path("<int:pk>/numbers/import/", views.numbers_import, name="numbers_import"),
    path("<int:pk>/api-access/", views.api_access, name="api_access"),
    path("<int:pk>/api-access/remove/", views.api_access_remove, name="api_access_remove"),
]
