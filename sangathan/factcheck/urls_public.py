"""Public pages of the factcheck app, reached without signing in (mounted in sangathan.config.urls)."""

app_name = "factcheck_public"

urlpatterns: list = []
