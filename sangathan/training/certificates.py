"""Training certificates as PDF (WeasyPrint with Noto Sans Devanagari, so Hindi conjuncts and matras are
shaped correctly). Like appointment letters, a certificate is a document in one language:
``certificate_hi.html`` (the default) and ``certificate_en.html``."""

from django.core import signing
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sangathan.core.models import bilingual
from sangathan.core.pdf import html_to_pdf
from sangathan.recruitment.letters import organisation_name
from sangathan.training.models import Completion

LANGUAGES = ("hi", "en")
SIGNING_SALT = "sangathan.training.certificate"
# How long the certificate link shown after check-in stays valid.
PUBLIC_LINK_MAX_AGE = 60 * 60 * 24 * 90


def certificate_html(completion: Completion, *, language: str = "hi") -> str:
    language = language if language in LANGUAGES else "hi"
    person, programme, camp = completion.person, completion.programme, completion.camp
    with translation.override(language):
        context = {
            "organisation": organisation_name(language),
            "completion": completion,
            "person_name": bilingual(person.name_hi, person.name_en),
            "programme_name": bilingual(programme.name_hi, programme.name_en),
            "modules": [(bilingual(m.name_hi, m.name_en), m.expected_minutes) for m in programme.modules.all()],
            "camp": camp,
            "host_unit": camp.host_unit.display_name if camp else "",
            "venue": camp.venue if camp else "",
            "completed_on": timezone.localtime(completion.completed_at).date(),
            "number": completion.certificate_number or f"{completion.pk:06d}",
        }
        return render_to_string(f"training/certificate_{language}.html", context)


def certificate_pdf(completion: Completion, *, language: str = "hi") -> bytes:
    return html_to_pdf(certificate_html(completion, language=language))


def public_token(completion: Completion) -> str:
    """A signed token for the certificate link a trainee gets after checking in (no login)."""
    return signing.dumps(completion.pk, salt=SIGNING_SALT, compress=True)


def completion_from_token(token: str) -> Completion | None:
    try:
        pk = signing.loads(token, salt=SIGNING_SALT, max_age=PUBLIC_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return Completion.objects.select_related("person", "programme", "camp__host_unit__level").filter(pk=pk).first()
