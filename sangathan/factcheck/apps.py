from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactCheckConfig(AppConfig):
    name = "sangathan.factcheck"
    label = "factcheck"
    verbose_name = _("Fact-check desk")

    def ready(self) -> None:
        # "Report a rumour" on the cascade's message page: outreach lies below and may not import us.
        from sangathan.factcheck.reported import recipient_page_link
        from sangathan.outreach.page_links import on_recipient_page

        on_recipient_page(recipient_page_link)
