"""Sign-in policy on every request: session lifetimes, and the second factor for admin roles."""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from sangathan.access.signin import CHOSE_SECOND_FACTOR, has_second_factor, needs_two_factor, session_limits

SIGNED_IN_AT = "signin_at"
SEEN_AT = "signin_seen_at"
SECOND_FACTOR_CHECKED_AT = "signin_second_factor_checked_at"
SEEN_EVERY = 60  # seconds: how often "last seen" is written (not a session write per request)
# Reachable before the second factor: the pages that ask for it, signing out, the language switch, files.
OPEN_PREFIXES = ("/account/two-factor/", "/logout/", "/i18n/", "/static/", "/media/", "/a/", "/t/", "/m/")


@receiver(user_logged_in)
def start_the_clock(sender, request, user, **kwargs):
    """The session's absolute and idle limits count from here (saved with the new session)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = time.time()
        request.session[CHOSE_SECOND_FACTOR] = has_second_factor(user)
        request.session[SECOND_FACTOR_CHECKED_AT] = time.time()


class SignInPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = self._session_ended(request, user)
            if ended is not None:
                return ended
            if not user.is_verified():
                self._recheck_second_factor(request, user)
            if (
                not user.is_verified()
                and needs_two_factor(user, request.session)
                and not request.path.startswith(OPEN_PREFIXES)
            ):
                if request.path.startswith("/api/"):
                    # Token clients are checked by the API's own authentication; a browser session is not
                    # enough without the second factor.
                    if request.session.session_key:
                        return JsonResponse({"detail": _("Confirm your sign-in with the second factor.")}, status=403)
                else:
                    return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _recheck_second_factor(request, user) -> None:
        """A session that began before its user turned two-factor sign-in on (on another phone, say) is held
        to it too: looked up again at most once a minute, not a query per request."""
        session = request.session
        if session.get(CHOSE_SECOND_FACTOR):
            return
        now = time.time()
        if now - session.get(SECOND_FACTOR_CHECKED_AT, 0) > SEEN_EVERY:
            session[SECOND_FACTOR_CHECKED_AT] = now
            session[CHOSE_SECOND_FACTOR] = has_second_factor(user)

    def _session_ended(self, request, user):
        session = request.session
        now = time.time()
        signed_in = session.get(SIGNED_IN_AT)
        seen = session.get(SEEN_AT, signed_in)
        if signed_in is None:  # a session from before this policy, or a test's force_login
            session[SIGNED_IN_AT] = session[SEEN_AT] = now
            return None
        idle, absolute = session_limits(user)
        if now - seen > idle.total_seconds() or now - signed_in > absolute.total_seconds():
            logout(request)
            messages.info(request, _("You were signed out after a while without activity. Please sign in again."))
            if request.path.startswith("/api/"):
                return None  # answered as an anonymous request
            return redirect(f"{reverse('login')}?next={request.get_full_path()}")
        if now - seen > SEEN_EVERY:
            session[SEEN_AT] = now
        return None
