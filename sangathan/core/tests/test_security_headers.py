"""The security headers on every kind of page (signed-in staff, public form, recipient's page, API docs,
admin), and the rule that keeps the Content Security Policy strict: no template runs an inline script."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from sangathan.org import services as org_services
from sangathan.org.models import Position
from sangathan.org.tests.factories import PersonFactory
from sangathan.outreach import services as outreach_services
from sangathan.outreach.models import Delivery
from sangathan.testing import message_sent_to_booths, open_drive

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
OTHER_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
TEMPLATES = Path(settings.BASE_DIR) / "sangathan"


def directives(header: str) -> dict[str, list[str]]:
    """{"script-src": ["'self'"], ...}: django-csp writes the directives in no fixed order."""
    parsed = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_security_headers(response) -> None:
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert "Content-Security-Policy-Report-Only" not in response
    for name, value in OTHER_HEADERS.items():
        assert response[name] == value, name
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert "clipboard" not in permissions  # the copy buttons need clipboard-write


@pytest.fixture
def campaign(tree, cast):
    return open_drive(tree, cast.state_admin)


@pytest.fixture
def recipient_url(tree, cast, django_capture_on_commit_callbacks):
    """The link a booth gets for a message sent from Jaipur to its booths."""
    org_services.appointment_create(
        unit=tree.booth1, position=Position.objects.get(level=tree.booth1.level, is_key=True), person=PersonFactory()
    )
    message = message_sent_to_booths(tree, cast, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(message=message, unit=tree.booth1)
    return reverse("outreach_public:open", args=[outreach_services.delivery_token(delivery.pk)])


def test_a_signed_in_staff_page(client, cast):
    client.force_login(cast.state_admin)
    for url in (reverse("home"), reverse("outreach:new")):
        response = client.get(url, follow=True)  # home goes on to the user's own unit
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_the_public_application_form(client, campaign):
    response = client.get(reverse("apply:form", args=[campaign.slug]))
    assert response.status_code == 200
    assert_security_headers(response)
    assert 'src="/static/recruitment/place-picker.js" defer' in response.content.decode()


def test_the_status_page(client):
    response = client.get(reverse("apply:status"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_the_recipients_page(client, recipient_url):
    response = client.get(recipient_url)
    assert response.status_code == 200
    assert_security_headers(response)
    assert 'src="/static/outreach/recipient.js" defer' in response.content.decode()


def test_the_api_docs_and_their_start_up_script(client, cast):
    client.force_login(cast.state_admin)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_security_headers(page)
    html = page.content.decode()
    assert 'src="/api/docs/?script="' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_the_admin_login(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_404_has_the_headers_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response)


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def project_templates() -> list[Path]:
    templates = sorted(TEMPLATES.glob("**/templates/**/*.html"))
    assert len(templates) > 50  # the glob found the project's templates
    return templates


def test_no_template_has_an_inline_script():
    """script-src 'self' refuses inline scripts: every script is a static file (<script src=... defer>);
    data for a script goes in data- attributes or a json_script block (type="application/json"). Structured
    data for search engines (type="application/ld+json", the fact-checks' ClaimReview) is data too: browsers
    never run it, so the policy does not concern it."""
    inline = []
    for template in project_templates():
        for attributes in SCRIPT_TAG.findall(template.read_text(encoding="utf-8")):
            if re.search(r"\bsrc=", attributes) or re.search(r"""type=["']application/(ld\+)?json["']""", attributes):
                continue
            inline.append(f"{template.relative_to(TEMPLATES)}: <script{attributes}>")
    assert not inline, "inline scripts: " + "; ".join(inline)


def test_no_template_has_an_inline_event_handler():
    """onclick="..." and the like are inline scripts too: the policy refuses them."""
    handlers = [
        f"{template.relative_to(TEMPLATES)}: {match.group(0)}"
        for template in project_templates()
        for match in re.finditer(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", template.read_text(encoding="utf-8"))
    ]
    assert not handlers, handlers


def test_no_template_has_a_javascript_url():
    urls = [
        f"{template.relative_to(TEMPLATES)}"
        for template in project_templates()
        if re.search(r"""href=["']\s*javascript:""", template.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert not urls, urls
