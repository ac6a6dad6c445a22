"""The public tipline (no login): anybody may send a rumour they received; the answer comes by SMS when
they leave a mobile number and the rumour was already checked.

What protects it: the request's size is checked before the body is read (``FACTCHECK_TIP_MAX_BYTES``:
413), each picture is opened with Pillow and refused unless it is one, rate limits per address and per
mobile number, and a honeypot field (a bot that fills it is thanked and nothing is stored).
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sangathan.core.ratelimits import PublicLimits
from sangathan.factcheck import selectors
from sangathan.factcheck.answering import public_url
from sangathan.factcheck.claimreview import claim_review, json_ld
from sangathan.factcheck.forms import TiplineForm
from sangathan.factcheck.models import Language, LinkKind, TipChannel
from sangathan.factcheck.services import tip_receive
from sangathan.factcheck.tips import new_reference

HONEYPOT = "website"
LIMITS = PublicLimits(
    app="factcheck",
    page="factcheck/public/limited.html",
    defaults={
        # Per address: people behind one carrier's NAT share it; per number: the answers one number gets.
        "FACTCHECK_TIP_RATE_IP": "20/h",
        "FACTCHECK_TIP_RATE_MOBILE": "5/h",
    },
)


def _too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.FACTCHECK_TIP_MAX_BYTES


@never_cache
@require_http_methods(["GET", "POST"])
def tipline(request):
    if request.method == "GET":
        return _render_form(request, TiplineForm())
    if _too_large(request):  # before request.POST / FILES read a byte of the body
        return render(
            request,
            "factcheck/public/too_large.html",
            {"mb": settings.FACTCHECK_TIP_MAX_BYTES // 2**20},
            status=413,
        )
    if LIMITS.over(request, "tip", "FACTCHECK_TIP_RATE_IP"):
        return LIMITS.refused(request)
    if request.POST.get(HONEYPOT):
        return render(request, "factcheck/public/done.html", {"reference": new_reference()})
    form = TiplineForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    data = form.cleaned_data
    if data["mobile"]:

        def by_mobile(group, request):
            return data["mobile"]

        if LIMITS.over(request, "tip-mobile", "FACTCHECK_TIP_RATE_MOBILE", key=by_mobile):
            return LIMITS.refused(request)
    tip, _new = tip_receive(
        channel=TipChannel.WEB,
        text=data["text"],
        link=data["link"],
        media=data["images"],
        reply_mobile=data["mobile"],
    )
    return render(request, "factcheck/public/done.html", {"reference": tip.reference})


def _render_form(request, form: TiplineForm, status: int = 200):
    return render(
        request,
        "factcheck/public/tipline.html",
        {"form": form, "honeypot": HONEYPOT, "mb": settings.FACTCHECK_TIP_IMAGE_MAX_BYTES // 2**20},
        status=status,
    )


PUBLIC_LANGUAGES = ("hi", "en")


@require_http_methods(["GET", "HEAD"])
def claim_public(request, pk: int, lang: str):
    """A published fact-check in Hindi or English, with its ClaimReview JSON-LD; any other id is a 404."""
    if lang not in PUBLIC_LANGUAGES:
        raise Http404
    claim = selectors.published_claim(pk=pk)
    texts = {text.language: text.text for text in claim.texts.all()}
    other = "en" if lang == "hi" else "hi"
    claim_text = texts.get(lang) or texts.get(Language.HINGLISH) or texts.get(other) or ""
    rebuttal = (claim.rebuttal_en if lang == "en" else claim.rebuttal_hi) or claim.rebuttal_hi or claim.rebuttal_en
    links = list(claim.links.all())
    appearances = [link.url for link in links if link.kind == LinkKind.APPEARANCE]
    url = public_url(claim, lang)
    with translation.override(lang):
        review = claim_review(claim=claim, url=url, language=lang, claim_text=claim_text, appearances=appearances)
        return render(
            request,
            "factcheck/public/claim.html",
            {
                "claim": claim,
                "claim_text": claim_text,
                "rebuttal": rebuttal,
                "evidence": [link for link in links if link.kind == LinkKind.EVIDENCE],
                "appearances": [link for link in links if link.kind == LinkKind.APPEARANCE],
                "json_ld": mark_safe(json_ld(review)),  # noqa: S308 - escaped for <script> by json_ld
                "lang": lang,
                "other_lang": other,
                "other_url": public_url(claim, other),
                "canonical": url,
            },
        )
