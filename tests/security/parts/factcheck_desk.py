"""The fact-check desk's claim pages in the scope matrix: a claim at each column's unit (its Hindi text the
marker) with an evidence link, the list, a claim's page and every workflow action. Working on a claim needs
the desk's action (``factcheck.desk.DESK`` = ``fact_check``) at the claim's unit: a sibling district's user
gets 404 and changes nothing; a viewer in scope gets 403."""

from sangathan.access.permissions import FACT_CHECK
from tests.security.matrix import Endpoint
from tests.security.world import marker


def build(w):
    from django.core.files.base import ContentFile

    from sangathan.factcheck.models import Claim, ClaimFile, ClaimLink, ClaimText, LinkKind

    for column, unit in w.units["unit"].items():
        claim = Claim.objects.create(external_id=f"matrix-{column}", unit=unit)
        text = marker("claim", column)
        ClaimText.objects.create(claim=claim, language="hi", text=text, key=text.lower())
        link = ClaimLink.objects.create(claim=claim, kind=LinkKind.EVIDENCE, url=f"https://example.org/{column}")
        w.objects.setdefault("claim", {})[column] = claim
        w.objects.setdefault("claim_link", {})[column] = link
        evidence = ClaimFile(claim=claim, name=f"{column}.pdf", content_type="application/pdf", size=9)
        evidence.file.save(f"{column}.pdf", ContentFile(b"%PDF-1.4 " + marker("claim", column).encode()), save=False)
        evidence.save()
        w.objects.setdefault("claim_file", {})[column] = evidence


def _link(world, column):
    return world.objects["claim_link"][column].pk


def _file(world, column):
    return world.objects["claim_file"][column].pk


def _unit(world, column):
    return {"unit": world.units["unit"][column].pk, "text_hi": "ZQ नया दावा", "text_en": "ZQ new claim"}


DESK = FACT_CHECK
WEB = [
    Endpoint("factcheck.claims", "factcheck:claims", markers=(("claim", False),)),
    # Trending rumours: one text per cluster (its newest tip the reader may see). The world's short marker tips
    # cluster together, so a visible column's marker may stand behind another's; no invisible one may show.
    Endpoint("factcheck.trending", "factcheck:trending", markers=(("tip", False),), show_visible=False),
    Endpoint("factcheck.claim_new.form", "factcheck:claim_new", ok=(200, 404), nowhere=(404,)),
    Endpoint("factcheck.claim_new", "factcheck:claim_new", "POST", DESK, data=_unit, body_unit=True),
    # Archives belong to no unit: only a national desk (or a superuser) imports them; Jaipur's roles get 404.
    Endpoint("factcheck.claim_import", "factcheck:claim_import", ok=(404,), nowhere=(404,)),
    Endpoint("factcheck.claim", "factcheck:claim", obj="claim"),
    Endpoint("factcheck.claim_edit.form", "factcheck:claim_edit", action=DESK, obj="claim"),
    Endpoint(
        "factcheck.claim_edit",
        "factcheck:claim_edit",
        "POST",
        DESK,
        "claim",
        data=lambda world, column: {"text_hi": "ZQ बदला", "rebuttal_hi": "ZQ खंडन"},
    ),
    Endpoint(
        "factcheck.claim_transition",
        "factcheck:claim_transition",
        "POST",
        DESK,
        "claim",
        data=lambda world, column: {"to": "triage"},
    ),
    Endpoint(
        "factcheck.claim_assign",
        "factcheck:claim_assign",
        "POST",
        DESK,
        "claim",
        data=lambda world, column: {"assignee": ""},
    ),
    Endpoint(
        "factcheck.claim_link_add",
        "factcheck:claim_link_add",
        "POST",
        DESK,
        "claim",
        data=lambda world, column: {"url": "https://example.org/zq", "kind": "evidence"},
    ),
    Endpoint(
        "factcheck.claim_link_remove",
        "factcheck:claim_link_remove",
        "POST",
        DESK,
        "claim",
        extra_kwargs={"link_pk": _link},
    ),
    Endpoint("factcheck.claim_file_add", "factcheck:claim_file_add", "POST", DESK, "claim"),
    Endpoint("factcheck.claim_file", "factcheck:claim_file", obj="claim", extra_kwargs={"file_pk": _file}),
    Endpoint("factcheck.claim_answer", "factcheck:claim_answer", "POST", DESK, "claim"),
]
