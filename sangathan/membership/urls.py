"""Staff pages of the membership app (mounted at /membership/ in sangathan.config.urls)."""

from django.urls import path

from sangathan.membership import views

app_name = "membership"

urlpatterns = [
    path("", views.home, name="home"),
    path("unit/<int:pk>/", views.unit, name="unit"),
    path("unit/<int:pk>/codes/", views.codes, name="codes"),
    path("unit/<int:pk>/leaders/", views.leaders, name="leaders"),
    path("unit/<int:pk>/members.csv", views.export, {"kind": "csv"}, name="export_csv"),
    path("unit/<int:pk>/members.xlsx", views.export, {"kind": "xlsx"}, name="export_xlsx"),
    path("unit/<int:pk>/paper/", views.paper, name="paper"),
    path("unit/<int:pk>/sheet/", views.sheet_upload, name="sheet_upload"),
    path("sheet/<int:pk>/", views.sheet, name="sheet"),
    path("unit/<int:pk>/review/", views.review, name="review"),
    path("member/<int:pk>/decide/", views.member_decide, name="member_decide"),
    path("member/<int:pk>/revoke/", views.member_revoke, name="member_revoke"),
    path("unit/<int:pk>/duplicates/", views.duplicates, name="duplicates"),
    path("duplicate/<int:pk>/decide/", views.duplicate_decide, name="duplicate_decide"),
    path("link/<int:pk>/unfreeze/", views.link_unfreeze, name="link_unfreeze"),
]
