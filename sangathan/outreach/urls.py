"""Staff pages of the outreach app (mounted at /outreach/ in sangathan.config.urls)."""

app_name = "outreach"

urlpatterns = []
