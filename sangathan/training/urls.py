"""Staff pages of the training app (mounted at /training/ in sangathan.config.urls)."""

from django.urls import path

from sangathan.training import views

app_name = "training"

urlpatterns = [
    path("", views.camp_list, name="camps"),
    path("new/", views.camp_create, name="camp_new"),
    path("plan/", views.camp_plan, name="camp_plan"),
    path("coverage/", views.coverage, name="coverage"),
    path("programmes/", views.programmes, name="programmes"),
    path("camps/<int:pk>/", views.camp_detail, name="camp"),
    path("camps/<int:pk>/qr.png", views.camp_qr, name="camp_qr"),
    path("camps/<int:pk>/poster.pdf", views.camp_poster, name="camp_poster"),
    path("camps/<int:pk>/attendance.csv", views.camp_export, name="camp_export"),
    path("camps/<int:pk>/edit/", views.camp_edit, name="camp_edit"),
    path("camps/<int:pk>/invite/", views.camp_invite, name="camp_invite"),
    path("camps/<int:pk>/remind/", views.camp_remind, name="camp_remind"),
    path("camps/<int:pk>/walk-ins/", views.camp_walk_ins, name="camp_walk_ins"),
    path("camps/<int:pk>/cancel/", views.camp_cancel, name="camp_cancel"),
    path("camps/<int:pk>/roll-call/", views.roll_call, name="roll_call"),
    path("camps/<int:pk>/roll-call/walk-in/", views.roll_call_walk_in, name="roll_call_walk_in"),
    path("camps/<int:pk>/roll-call/requests/", views.roll_call_walk_in_decide, name="roll_call_walk_in_decide"),
    path("camps/<int:pk>/roll-call/<int:person_pk>/code/", views.roll_call_resend_code, name="roll_call_resend_code"),
    path("camps/<int:pk>/roll-call/<int:person_pk>/", views.roll_call_mark, name="roll_call_mark"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate"),
]
