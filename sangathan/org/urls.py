from django.urls import path

from sangathan.org import views, views_officebearers, views_representation, views_shaping, views_terms

app_name = "org"

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/appoint/", views.appoint, name="appoint"),
    path("units/<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("units/<int:pk>/reconstitute/", views.reconstitute, name="reconstitute"),
    path("units/<int:pk>/structure/", views_shaping.structure, name="structure"),
    path("units/<int:pk>/representation/", views_representation.representation_page, name="representation"),
    path("appointments/<int:pk>/wing/", views_representation.appointment_wing, name="appointment_wing"),
    path("people/<int:pk>/profile/", views_representation.person_profile, name="person_profile"),
    path("appointments/<int:pk>/relieve/", views.relieve, name="relieve"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("search/", views.search, name="search"),
    path("units/<int:pk>/terms/", views_terms.terms, name="terms"),
    path("units/<int:pk>/office-bearers/import/", views_officebearers.upload, name="officebearers_upload"),
    path("office-bearers/imports/<int:pk>/", views_officebearers.job, name="officebearers_job"),
    path("office-bearers/imports/<int:pk>/confirm/", views_officebearers.confirm, name="officebearers_confirm"),
    path("office-bearers/imports/<int:pk>/cancel/", views_officebearers.cancel, name="officebearers_cancel"),
]
