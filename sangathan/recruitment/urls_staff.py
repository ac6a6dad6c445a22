from django.urls import path

from sangathan.recruitment import views_staff, views_staff_interviews, views_staff_review

app_name = "recruitment"

# Fixed words first: a campaign's short link may not be one of them (``access.RESERVED_SLUGS``).
urlpatterns = [
    path("", views_staff.campaign_list, name="campaigns"),
    path("new/", views_staff.campaign_create, name="campaign_new"),
    path("panel/", views_staff_interviews.panel_home, name="panel"),
    path("panel/slots/<int:pk>/", views_staff_interviews.panel_score, name="panel_score"),
    path("applications/<int:pk>/", views_staff_review.application_detail, name="application"),
    path("applications/<int:pk>/screen/", views_staff_review.application_screen, name="screen"),
    path("applications/<int:pk>/decide/", views_staff_review.application_decide, name="decide"),
    path("applications/<int:pk>/letter.pdf", views_staff_review.letter_pdf, name="letter"),
    path("interviews/<int:pk>/", views_staff_interviews.day_detail, name="day"),
    path("interviews/<int:pk>/panels/", views_staff_interviews.panel_create, name="panel_create"),
    path("interviews/<int:pk>/schedule/", views_staff_interviews.schedule, name="schedule"),
    path("slots/<int:pk>/move/", views_staff_interviews.slot_move, name="slot_move"),
    path("slots/<int:pk>/no-show/", views_staff_interviews.slot_no_show, name="no_show"),
    path("slots/<int:pk>/open-scoring/", views_staff_interviews.slot_open_scoring, name="slot_open_scoring"),
    path("<slug:slug>/", views_staff.dashboard, name="dashboard"),
    path("<slug:slug>/applications/", views_staff_review.queue, name="queue"),
    path("<slug:slug>/applications/screen/", views_staff_review.screen_bulk, name="screen_bulk"),
    path("<slug:slug>/applications/export.csv", views_staff_review.export_csv, name="export_csv"),
    path("<slug:slug>/applications/export.xlsx", views_staff_review.export_xlsx, name="export_xlsx"),
    path("<slug:slug>/ranking/", views_staff_review.ranking, name="ranking"),
    path("<slug:slug>/interviews/", views_staff_interviews.interviews, name="interviews"),
]
