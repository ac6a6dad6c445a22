"""Public pages of the controlroom app, reached without signing in (mounted in sangathan.config.urls)."""

app_name = "controlroom_public"

urlpatterns: list = []
