"""Staff pages of the fact-check desk."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sangathan.factcheck import selectors
from sangathan.factcheck.models import Tier

PER_PAGE = 50


@login_required
@require_GET
def tip_list(request):
    """The tips of the user's scope, newest first, each with the claim the matcher found (linked or
    suggested) and how often its rumour has come; mobile numbers masked."""
    tier = request.GET.get("tier", "")
    tier = tier if tier in Tier.values else ""
    page = Paginator(selectors.tips_for_user(user=request.user, tier=tier), PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.tip_rows(user=request.user, tips=list(page.object_list), language=request.LANGUAGE_CODE)
    return render(
        request,
        "factcheck/tip_list.html",
        {"page": page, "rows": rows, "tier": tier, "tiers": Tier.choices, "query": f"tier={tier}" if tier else ""},
    )
