from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    # First, the two public paths that take bursts (a drive's form, the "received" presses of a message to every
    # booth): Django tries every pattern of an include without a prefix ("" below) before looking further, so
    # behind them /a/<slug>/ took 113–272 µs to resolve, here 36–61 µs (docs/benchmarks.md). No other path starts so.
    path("a/", include("sangathan.recruitment.urls_public")),
    path("m/", include("sangathan.outreach.urls_public")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("sangathan.org.api.urls")),
    path("api/v1/channels/", include("sangathan.channels.api_urls")),
    path("api/v1/controlroom/", include("sangathan.controlroom.api.urls")),
    path("", include("sangathan.ops.urls")),  # /healthz, /readyz, /metrics
    path("", include("sangathan.site.urls")),
    path("", include("sangathan.org.urls")),
    path("import/", include("sangathan.org.urls_import")),
    path("recruitment/", include("sangathan.recruitment.urls_staff")),
    path("channels/", include("sangathan.channels.urls")),
    path("training/", include("sangathan.training.urls")),
    path("t/", include("sangathan.training.urls_public")),
    path("plan/", include("sangathan.planning.urls")),
    path("outreach/", include("sangathan.outreach.urls")),
    path("account/api-tokens/", include("sangathan.apitokens.urls")),
    path("logins/", include("sangathan.logins.urls")),
    path("welcome/", include("sangathan.logins.urls_public")),  # an office-bearer's one-time invitation link
    path("audit/", include("sangathan.audit.urls")),
    path("privacy/", include("sangathan.privacy.urls")),
    path("controlroom/", include("sangathan.controlroom.urls")),
    path("r/", include("sangathan.controlroom.urls_public")),  # an office-bearer's daily report link
    path("factcheck/", include("sangathan.factcheck.urls")),
    path("tip/", include("sangathan.factcheck.urls_public")),  # the public tipline and published fact-checks
    path("membership/", include("sangathan.membership.urls")),
    path("join/", include("sangathan.membership.urls_public")),  # the public join page, the card check
    path("api/v1/plan/", include("sangathan.planning.api.urls")),
    path("api/v1/outreach/", include("sangathan.outreach.api.urls")),
    path("api/v1/recruitment/", include("sangathan.recruitment.api.urls")),
    path("api/v1/training/", include("sangathan.training.api.urls")),
    path("api/v1/factcheck/", include("sangathan.factcheck.api.urls")),
    path("api/v1/membership/", include("sangathan.membership.api.urls")),
]

# The database or Redis down: 503 "please try again in a minute" instead of a 500 (sangathan/ops/outage.py).
handler500 = "sangathan.ops.outage.server_error"

if settings.DEBUG:  # pragma: no cover
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
