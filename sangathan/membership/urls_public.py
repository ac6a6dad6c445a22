"""Public pages of the membership app, reached without signing in (mounted in sangathan.config.urls)."""

app_name = "membership_public"

urlpatterns: list = []
