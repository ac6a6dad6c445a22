"""Middleware of every request: Hindi first, and nothing stored in caches unless a view says it is public.

Hindi first: pages are in Hindi unless the user chose English with the language switch.

Most phones in India are set to English even when their owners read Hindi, so the browser's
Accept-Language header is not a good guess for pages; the API, used by programs, still honours it.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


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


class NoStoreByDefaultMiddleware:
    """``Cache-Control: private, no-store`` on every response unless its view declared it ``public``.

    Letters, certificates, audit exports, copies of a person's data and the staff pages carry personal data;
    a copy left in a shared proxy or in the browser's cache of a shared phone is a leak. Rather than a
    header per view (the next new export would forget it), nothing is stored unless a view says so: the
    campaign QR codes say ``public, max-age=3600``. Static files are answered by WhiteNoise before this
    middleware and keep their long cache lifetimes. A view that sent ``no-store`` itself is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        directives = {part.split("=", 1)[0].strip().lower() for part in response.get("Cache-Control", "").split(",")}
        if not directives & {"public", "no-store"}:
            patch_cache_control(response, private=True, no_store=True)
        return response
