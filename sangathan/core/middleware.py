"""Hindi first: pages are in Hindi unless the user chose English with the language switch.

Most phones in India are set to English even when their owners read Hindi, so the browser's
Accept-Language header is not a good guess for pages; the API, used by programs, still honours it.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class HindiFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
        return None
