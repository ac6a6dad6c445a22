"""Staff pages of the factcheck app (mounted in sangathan.config.urls)."""

app_name = "factcheck"

urlpatterns: list = []
