from django.urls import path

from sangathan.org import views_import

app_name = "org_import"

urlpatterns = [
    path("", views_import.upload, name="upload"),
    path("preview/", views_import.preview, name="preview"),
    path("confirm/", views_import.confirm, name="confirm"),
    path("cancel/", views_import.cancel, name="cancel"),
    path("jobs/<int:pk>/", views_import.job, name="job"),
    path("jobs/<int:pk>/resume/", views_import.resume, name="resume"),
    path("sample.csv", views_import.sample, name="sample"),
]
