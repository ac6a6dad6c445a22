"""The site's urls plus the unit-import pages, for tests that must not depend on how the main urlconf
includes them (it does today, at ``import/``)."""

from django.urls import NoReverseMatch, include, path, reverse

from sangathan.config import urls as main_urls


def _has(name: str) -> bool:
    try:
        reverse(name, urlconf=main_urls)
    except NoReverseMatch:
        return False
    return True


urlpatterns = list(main_urls.urlpatterns)
if not _has("org_import:upload"):
    urlpatterns.append(path("import/", include("sangathan.org.urls_import")))
