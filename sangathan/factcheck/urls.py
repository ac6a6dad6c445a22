"""Staff pages of the factcheck app (mounted in sangathan.config.urls)."""

from django.urls import path

from sangathan.factcheck import views, views_desk

app_name = "factcheck"

urlpatterns = [
    path("tips/", views.tip_list, name="tips"),
    path("tips/pictures/<int:pk>/", views.tip_picture, name="tip_picture"),
    path("evidence/pictures/<int:pk>/", views.claim_picture, name="claim_picture"),
    path("claims/", views_desk.claim_list, name="claims"),
    path("claims/new/", views_desk.claim_new, name="claim_new"),
    path("claims/import/", views_desk.claim_import, name="claim_import"),
    path("trending/", views_desk.trending_list, name="trending"),
    path("claims/<int:pk>/", views_desk.claim_detail, name="claim"),
    path("claims/<int:pk>/edit/", views_desk.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/move/", views_desk.claim_transition, name="claim_transition"),
    path("claims/<int:pk>/assign/", views_desk.claim_assign, name="claim_assign"),
    path("claims/<int:pk>/links/", views_desk.claim_link_add, name="claim_link_add"),
    path("claims/<int:pk>/links/<int:link_pk>/remove/", views_desk.claim_link_remove, name="claim_link_remove"),
    path("claims/<int:pk>/files/", views_desk.claim_file_add, name="claim_file_add"),
    path("claims/<int:pk>/files/<int:file_pk>/", views_desk.claim_file, name="claim_file"),
    path("claims/<int:pk>/answer/", views_desk.claim_answer, name="claim_answer"),
]
