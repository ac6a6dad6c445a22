"""Staff pages of the fact-check desk."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sangathan.access.permissions import VIEW
from sangathan.factcheck import images, media, selectors
from sangathan.factcheck.models import ClaimFile, Tier, TipMedia

PER_PAGE = 50


@login_required
@require_GET
def tip_list(request):
    """The tips of the user's scope, newest first, each with the claim the matcher found (linked or
    suggested) and how often its rumour has come; mobile numbers masked."""
    tier = request.GET.get("tier", "")
    tier = tier if tier in Tier.values else ""
    page = Paginator(selectors.tips_for_user(user=request.user, tier=tier), PER_PAGE).get_page(request.GET.get("page"))
    tips = list(page.object_list)
    rows = selectors.tip_rows(user=request.user, tips=tips, language=request.LANGUAGE_CODE)
    pictures = images.pictures_for_tips(user=request.user, tips=tips)
    matches = images.image_matches_for_tips(user=request.user, tips=tips)
    unfetched = media.unfetched_for_tips(user=request.user, tips=tips)  # videos, pictures being downloaded
    items = [
        (row, pictures.get(row.tip.pk, []), matches.get(row.tip.pk, []), unfetched.get(row.tip.pk, [])) for row in rows
    ]
    return render(
        request,
        "factcheck/tip_list.html",
        {"page": page, "items": items, "tier": tier, "tiers": Tier.choices, "query": f"tier={tier}" if tier else ""},
    )


def _thumbnail_response(file) -> HttpResponse:
    """A small JPEG re-drawn from the stored picture (never the uploaded bytes themselves: whatever a file
    carries besides its pixels stays behind); 404 when it cannot be read."""
    try:
        with file.open("rb") as source:
            data = images.thumbnail(source)
    except (images.PictureError, FileNotFoundError):
        raise Http404 from None
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def tip_picture(request, pk: int):
    """A thumbnail of a tip's picture the user may see."""
    media = TipMedia.objects.restrict(request.user, VIEW).filter(pk=pk).exclude(file="").first()
    if media is None:
        raise Http404
    return _thumbnail_response(media.file)


@login_required
@require_GET
def claim_picture(request, pk: int):
    """A thumbnail of a claim's evidence picture the user may see."""
    evidence = ClaimFile.objects.restrict(request.user, VIEW).filter(pk=pk, content_type__startswith="image/").first()
    if evidence is None:
        raise Http404
    return _thumbnail_response(evidence.file)
