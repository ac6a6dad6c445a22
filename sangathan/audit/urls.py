from django.urls import path

from sangathan.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("export.csv", views.export_csv, name="export"),
    path("history/<str:label>/<str:pk>/", views.history, name="history"),
    path("reveal/<str:label>/<int:pk>/<str:field>/", views.reveal, name="reveal"),
]
