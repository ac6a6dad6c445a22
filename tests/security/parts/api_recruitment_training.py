"""The recruitment and training API (/api/v1/recruitment/, /api/v1/training/) in the scope matrix.

The world's campaigns, applications, interview days and slots (``world._recruitment``) and camps,
invitations and completions (``world._training``) are used as they are; ``build`` adds one score sheet per
column's application, so the scores list has something to leak.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from sangathan.access.permissions import APPOINT, MANAGE_CAMPAIGNS, MANAGE_TRAINING
from sangathan.org.models import Position
from tests.security.matrix import Endpoint

_J = {"json": True}


def build(w):
    from sangathan.recruitment.models import ScoreSheet

    member = get_user_model().objects.get(username="sec_panel_member")
    for column, application in w.objects["application"].items():
        w.objects.setdefault("score_sheet", {})[column] = ScoreSheet.objects.create(
            application=application, member=member, scores={}, weighted=50
        )


def _d(**values):
    return lambda world, column: values


def _sub_campaign(world, column):
    now = timezone.now()
    return {
        "scope_unit": world.units["unit"][column].pk,
        "parent": world.objects["campaign"]["parent"].pk,
        "title_hi": "ZQ उप-अभियान",
        "slug": f"zq-sub-{column}",
        "opens_at": now.isoformat(),
        "closes_at": (now + datetime.timedelta(days=7)).isoformat(),
        "rubric": world.objects["campaign"]["parent"].rubric_id,
        "positions": [{"position": Position.objects.get(level__code="booth", code="representative").pk}],
        "reference_prefix": "ZQ",
    }


def _camp(world, column):
    starts = timezone.now() + datetime.timedelta(days=10)
    return {
        "programme": world.programme.pk,
        "host_unit": world.units["deep"][column].pk,
        "venue": "ZQNEWCAMP",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=5)).isoformat(),
    }


API = [
    # recruitment
    Endpoint("api.rec.campaigns", "recruitment_api:campaign-list", markers=(("campaign", True),), **_J),
    Endpoint(
        "api.rec.campaigns.create",
        "recruitment_api:campaign-list",
        "POST",
        APPOINT,
        data=_sub_campaign,
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.rec.campaign", "recruitment_api:campaign-detail", obj="campaign", parent_visible=True, **_J),
    Endpoint(
        "api.rec.campaign.patch",
        "recruitment_api:campaign-detail",
        "PATCH",
        MANAGE_CAMPAIGNS,
        "campaign",
        data=_d(title_en="ZQX"),
        parent_visible=True,
        **_J,
    ),
    Endpoint("api.rec.applications", "recruitment_api:application-list", markers=(("applicant", False),), **_J),
    Endpoint("api.rec.application", "recruitment_api:application-detail", obj="application", **_J),
    Endpoint(
        "api.rec.application.screen",
        "recruitment_api:application-screen",
        "POST",
        APPOINT,
        "application",
        data=_d(action="reject", reason="x"),
        **_J,
    ),
    Endpoint(
        "api.rec.application.decide",
        "recruitment_api:application-decide",
        "POST",
        APPOINT,
        "application",
        data=_d(decision="reject", reason="x"),
        **_J,
    ),
    Endpoint("api.rec.days", "recruitment_api:day-list", markers=(("day", True),), **_J),
    Endpoint("api.rec.day", "recruitment_api:day-detail", obj="day", parent_visible=True, **_J),
    Endpoint("api.rec.slots", "recruitment_api:slot-list", markers=(("applicant", False),), **_J),
    Endpoint("api.rec.scores", "recruitment_api:score-list", markers=(("applicant", False),), **_J),
    # training
    Endpoint("api.tr.camps", "training_api:camp-list", markers=(("camp", False),), **_J),
    Endpoint(
        "api.tr.camps.create",
        "training_api:camp-list",
        "POST",
        MANAGE_TRAINING,
        data=_camp,
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.tr.camp", "training_api:camp-detail", obj="camp", **_J),
    Endpoint("api.tr.invitations", "training_api:invitation-list", obj="camp", **_J),
    Endpoint(
        "api.tr.invitations.create",
        "training_api:invitation-list",
        "POST",
        MANAGE_TRAINING,
        "camp",
        data=lambda world, column: {"mobile": world.objects["person"][column].mobile},
        **_J,
    ),
    Endpoint("api.tr.invitations.generate", "training_api:invitation-generate", "POST", MANAGE_TRAINING, "camp", **_J),
    Endpoint("api.tr.attendance", "training_api:attendance-list", obj="camp", **_J),
    Endpoint(
        "api.tr.attendance.mark",
        "training_api:attendance-list",
        "POST",
        MANAGE_TRAINING,
        "camp",
        data=lambda world, column: {"person": world.invitee[column].pk, "present": True},
        **_J,
    ),
    Endpoint("api.tr.completions", "training_api:completion-list", markers=(("person", False),), **_J),
]
