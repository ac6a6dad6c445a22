from django.urls import path

from sangathan.org import views

app_name = "org"

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/appoint/", views.appoint, name="appoint"),
    path("units/<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("units/<int:pk>/reconstitute/", views.reconstitute, name="reconstitute"),
    path("appointments/<int:pk>/relieve/", views.relieve, name="relieve"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("search/", views.search, name="search"),
]
