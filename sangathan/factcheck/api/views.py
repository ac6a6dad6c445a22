"""The fact-check desk's REST API under /api/v1/factcheck/ (see sangathan.config.urls). Thin views, the web
desk's rules (``views``, ``views_desk``):

- tips and claims come from ``selectors`` (``restrict``: a tip or a claim of the caller's area; claims of no
  unit, the national desk's and imported archives, are every desk's to read);
- one outside what the caller may see: 404; seen but not theirs to work on (``desk.DESK`` at its unit): 403;
- a step the desk refuses (``FactCheckError``: a move the workflow has not, a published claim changed, no
  rebuttal to publish): 400 with its translated message; nothing changes on a refusal.

Writes go through ``desk``, ``answering`` and ``actions`` only.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from sangathan.access.permissions import VIEW
from sangathan.access.scope import can_anywhere, top_units
from sangathan.core.api import validated
from sangathan.factcheck import actions, answering, desk, selectors
from sangathan.factcheck.api import serializers as s
from sangathan.factcheck.desk_forms import DESK_UNIT_DEPTH
from sangathan.factcheck.matching import CANDIDATES, match_ranked
from sangathan.factcheck.models import Claim, ClaimLink, ClaimText, Language, Status, Tier, Tip, Verdict
from sangathan.factcheck.services import FactCheckError
from sangathan.org.api.filters import within_filter


@contextmanager
def _refusals() -> Iterator[None]:
    """A refusal of the desk's rules as a 400 with its (translated) message."""
    try:
        yield
    except FactCheckError as error:
        raise ValidationError({"detail": [str(error)]}) from error


def _language(request) -> str:
    return Language.ENGLISH if getattr(request, "LANGUAGE_CODE", "hi") == "en" else Language.HINDI


def _context(request) -> dict:
    return {"request": request, "now": timezone.now(), "language": _language(request)}


# ---------------------------------------------------------------- tips


# The reporting office-bearer's unit, post and person (``serializers.reporter_of``), in the page's query.
REPORTER = (
    "reported_appointment__unit__level",
    "reported_appointment__position",
    "reported_appointment__person",
    "reported_delivery__unit__level",
)


def get_tip_for_user(user, pk: int) -> Tip:
    """The tip if ``user`` may view it; 404 otherwise."""
    tip = selectors.tips_for_user(user=user).select_related("unit__level", *REPORTER).filter(pk=pk).first()
    if tip is None:
        raise Http404
    return tip


def _tip_to_work(user, pk: int) -> Tip:
    """The tip, if the user sees it (else 404) and may work on it (else 403)."""
    tip = get_tip_for_user(user, pk)
    if not Tip.objects.restrict(user, desk.DESK).filter(pk=tip.pk).exists():
        raise PermissionDenied
    return tip


def _tip_answer(request, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    tip = get_tip_for_user(request.user, pk)
    row = selectors.tip_rows(user=request.user, tips=[tip], language=_language(request))[0]
    return Response(s.TipOutputSerializer(row).data, status=code)


TIP_STATUSES = [
    ("answered", _lazy("answered")),
    ("unanswered", _lazy("not answered")),
    ("linked", _lazy("linked to a claim")),
    ("unlinked", _lazy("not linked to a claim")),
]


class TipFilter(filters.FilterSet):
    tier = filters.ChoiceFilter(choices=Tier.choices)
    status = filters.ChoiceFilter(choices=TIP_STATUSES, method="filter_status", label=_lazy("Status"))
    unit = within_filter(label=_lazy("Only tips from this unit and the units below it."))
    since = filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_lazy("Only tips sent on or after this day.")
    )

    class Meta:
        model = Tip
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        return {
            "answered": lambda: queryset.filter(answered_at__isnull=False),
            "unanswered": lambda: queryset.filter(answered_at__isnull=True),
            "linked": lambda: queryset.filter(claim__isnull=False, tier=Tier.AUTO),
            "unlinked": lambda: queryset.exclude(claim__isnull=False, tier=Tier.AUTO),
        }[value]()


class TipListCreateApi(generics.ListAPIView):
    """GET: the tips of the caller's area, newest first, each with what the matcher found (the claim only
    when the caller may see it) and how often its rumour came; mobile numbers masked. POST: report a rumour
    seen, as a signed-in office-bearer (the tip carries their unit)."""

    serializer_class = s.TipOutputSerializer
    filterset_class = TipFilter

    def get_queryset(self):
        return selectors.tips_for_user(user=self.request.user).select_related("unit__level", *REPORTER)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return selectors.tip_rows(user=self.request.user, tips=list(page or []), language=_language(self.request))

    @extend_schema(request=s.TipReportInputSerializer, responses={201: s.TipOutputSerializer})
    def post(self, request):
        if not can_anywhere(request.user, VIEW):
            raise PermissionDenied
        data = validated(s.TipReportInputSerializer, request)
        unit = data.get("unit")
        if unit is None:
            own = top_units(request.user)
            if len(own) != 1:
                raise ValidationError({"unit": [_("Say where you saw it: the unit is needed.")]})
            unit = own[0]
        with _refusals():
            tip = actions.tip_report(unit=unit, text=data["text"], link=data["link"], by=request.user)
        return _tip_answer(request, tip.pk, code=status.HTTP_201_CREATED)


class TipDetailApi(APIView):
    """One tip of the caller's area."""

    @extend_schema(responses=s.TipOutputSerializer)
    def get(self, request, pk: int):
        return _tip_answer(request, pk)


class TipLinkApi(APIView):
    """Link the tip to a claim the caller may see: the claim's answer reaches its tipster (at once when the
    claim is published)."""

    @extend_schema(request=s.TipLinkInputSerializer, responses=s.TipOutputSerializer)
    def post(self, request, pk: int):
        tip = _tip_to_work(request.user, pk)
        data = validated(s.TipLinkInputSerializer, request)
        with _refusals():
            actions.tip_link(tip=tip, claim=data["claim"], by=request.user)
        return _tip_answer(request, pk)


class TipUnlinkApi(APIView):
    """The tip repeats none of the claims: unlinked, out of its claim's cluster."""

    @extend_schema(request=None, responses=s.TipOutputSerializer)
    def post(self, request, pk: int):
        tip = _tip_to_work(request.user, pk)
        with _refusals():
            actions.tip_unlink(tip=tip, by=request.user)
        return _tip_answer(request, pk)


# ---------------------------------------------------------------- claims


def _links(user) -> Prefetch:
    return Prefetch("links", queryset=ClaimLink.objects.restrict(user, VIEW).order_by("kind", "id"))


def _texts(user) -> Prefetch:
    return Prefetch("texts", queryset=ClaimText.objects.restrict(user, VIEW).order_by("language"))


def _claim(user, pk: int) -> Claim:
    claim = selectors.get_claim_for_user(user=user, pk=pk)
    prefetch_related_objects([claim], _texts(user), _links(user))
    return claim


def _claim_to_work(user, pk: int) -> Claim:
    """The claim, if the user sees it (else 404) and may work on it (else 403): as the web's buttons."""
    claim = selectors.get_claim_for_user(user=user, pk=pk)
    if not Claim.objects.restrict(user, desk.DESK).filter(pk=claim.pk).exists():
        raise PermissionDenied
    return claim


def _claim_data(request, pk: int) -> dict:
    return s.ClaimOutputSerializer(_claim(request.user, pk), context=_context(request)).data


class ClaimFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Status.choices)
    verdict = filters.ChoiceFilter(choices=Verdict.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label=_lazy("Only claims past their SLA."))

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(due__lt=timezone.now()) if value else queryset


class ClaimListCreateApi(generics.ListAPIView):
    """GET: the claims of the caller's area and those of no unit, the soonest due first (overdue on top),
    then the published newest first. POST: open a claim at a desk of the caller's (national, state or
    district), with its text in Hindi and/or English."""

    serializer_class = s.ClaimOutputSerializer
    filterset_class = ClaimFilter

    def get_queryset(self):
        return (
            selectors.claims_for_user(user=self.request.user)
            .select_related("unit__level")
            .prefetch_related(_links(self.request.user))
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_context(self.request)}

    @extend_schema(request=s.ClaimCreateInputSerializer, responses={201: s.ClaimOutputSerializer})
    def post(self, request):
        if not can_anywhere(request.user, desk.DESK):
            raise PermissionDenied
        serializer = s.ClaimCreateInputSerializer(
            data=request.data, context={"request": request}, desk_action=desk.DESK
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["unit"].depth > DESK_UNIT_DEPTH:
            raise ValidationError({"unit": [_("Claims are opened by the national, state and district desks.")]})
        with _refusals():
            claim = desk.claim_open(
                unit=data["unit"],
                texts={Language.HINDI: data["text_hi"], Language.ENGLISH: data["text_en"]},
                by=request.user,
            )
        return Response(_claim_data(request, claim.pk), status=status.HTTP_201_CREATED)


class ClaimDetailApi(APIView):
    """GET: one claim with its texts, verdict, evidence links, rebuttal variants and how often it was
    reported. PATCH: its texts and rebuttal (only what is sent; a published claim is final)."""

    @extend_schema(responses=s.ClaimOutputSerializer)
    def get(self, request, pk: int):
        return Response(_claim_data(request, pk))

    @extend_schema(request=s.ClaimUpdateInputSerializer, responses=s.ClaimOutputSerializer)
    def patch(self, request, pk: int):
        claim = _claim_to_work(request.user, pk)
        data = validated(s.ClaimUpdateInputSerializer, request)
        texts: dict[str, str] = {
            language: data[f"text_{language}"] for language in ("hi", "en") if f"text_{language}" in data
        }
        rebuttal = {name: value for name, value in data.items() if name.startswith("rebuttal_")}
        with _refusals():
            desk.claim_edit(claim=claim, by=request.user, texts=texts or None, rebuttal=rebuttal or None)
        return Response(_claim_data(request, pk))


class ClaimTransitionApi(APIView):
    """Move the claim on: new → triage → verifying → verdict (with one) → published; back one step from
    verifying and verdict."""

    @extend_schema(request=s.TransitionInputSerializer, responses=s.ClaimOutputSerializer)
    def post(self, request, pk: int):
        claim = _claim_to_work(request.user, pk)
        data = validated(s.TransitionInputSerializer, request)
        with _refusals():
            desk.claim_transition(claim=claim, to=data["to"], verdict=data["verdict"], by=request.user)
        return Response(_claim_data(request, pk))


class ClaimPublishApi(APIView):
    """Publish a claim that has its verdict and a rebuttal: its public page and ClaimReview go out, and a
    tip repeating it is answered at once from now on."""

    @extend_schema(request=None, responses=s.ClaimOutputSerializer)
    def post(self, request, pk: int):
        claim = _claim_to_work(request.user, pk)
        with _refusals():
            desk.claim_transition(claim=claim, to=Status.PUBLISHED, by=request.user)
        return Response(_claim_data(request, pk))


class ClaimAssignApi(APIView):
    """Give the claim to a fact-checker who may work on it (``null``: to nobody)."""

    @extend_schema(request=s.AssignInputSerializer, responses=s.ClaimOutputSerializer)
    def post(self, request, pk: int):
        claim = _claim_to_work(request.user, pk)
        data = validated(s.AssignInputSerializer, request)
        assignee = None
        if data["assignee"] is not None:
            assignee = desk.desk_users(claim).filter(pk=data["assignee"]).first()
            if assignee is None:
                raise ValidationError({"assignee": [_("This person cannot work on claims of this area.")]})
        with _refusals():
            desk.claim_assign(claim=claim, assignee=assignee, by=request.user)
        return Response(_claim_data(request, pk))


class ClaimEscalateApi(APIView):
    """Escalate a district's claim to the state control room now (once)."""

    @extend_schema(request=None, responses=s.ClaimOutputSerializer)
    def post(self, request, pk: int):
        claim = _claim_to_work(request.user, pk)
        with _refusals():
            actions.claim_escalate(claim=claim, by=request.user)
        return Response(_claim_data(request, pk))


class ClaimAnswerApi(APIView):
    """Answer a published claim: its rebuttal down the cascade from the claim's unit (the four-eyes rule
    applies) and to every tipster of its linked tips, each once."""

    @extend_schema(request=None, responses=s.AnswerOutputSerializer)
    def post(self, request, pk: int):
        claim = _claim_to_work(request.user, pk)
        with _refusals():
            result = answering.claim_answer(claim=claim, by=request.user)
        data = {
            "claim": _claim(request.user, pk),
            "message": result.message.pk if result.message is not None else None,
            "message_status": result.message_status,
            "tipsters": result.tipsters,
        }
        return Response(s.AnswerOutputSerializer(data, context=_context(request)).data)


# ---------------------------------------------------------------- matching


class MatchApi(APIView):
    """The claims a text repeats, best first, with their scores and tiers: what a tip with this text would
    be linked to or offered (the matcher of ``matching``, its thresholds). Only claims the caller may see, and
    ``limit`` counts only those."""

    @extend_schema(request=s.MatchInputSerializer, responses=s.MatchOutputSerializer)
    def post(self, request):
        if not can_anywhere(request.user, VIEW):
            raise Http404
        data = validated(s.MatchInputSerializer, request)
        # Every claim the matcher re-scored (``CANDIDATES`` texts at most), the caller's kept, then ``limit``:
        # cut first, a sibling district's better-matching claims would take the caller's places.
        ranked = match_ranked(data["text"], limit=max(data["limit"], CANDIDATES))
        matches = [m for m in ranked if m.claim_id is not None]
        # The texts of the candidates the caller may see, with their claims: one query (the claim through the
        # text's scope rule, which is the claim's).
        language = _language(request)
        visible: dict[str, tuple[Claim, dict[str, str]]] = {}
        for text in (
            ClaimText.objects.restrict(request.user, VIEW)
            .filter(claim__external_id__in=[m.claim_id for m in matches])
            .select_related("claim")
            .order_by("language")
        ):
            visible.setdefault(text.claim.external_id, (text.claim, {}))[1][text.language] = text.text
        candidates = []
        for match in matches:
            found = visible.get(match.claim_id or "")
            if found is None:
                continue
            claim, texts = found
            candidates.append(
                {
                    "claim": claim,
                    "text": texts.get(language) or next(iter(texts.values()), ""),
                    "score": match.score,
                    "tier": match.tier,
                }
            )
            if len(candidates) == data["limit"]:
                break
        tier = candidates[0]["tier"] if candidates else Tier.NONE
        return Response(s.MatchOutputSerializer({"tier": tier, "candidates": candidates}).data)
