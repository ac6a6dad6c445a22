"""A demo recruitment drive for `sangathan demo`: open now, with applications at every stage."""

import datetime
import secrets

from django.utils import timezone

from sangathan.org.models import Position, Unit
from sangathan.recruitment import services
from sangathan.recruitment.models import Campaign, Criterion, Rubric
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI, load_default_rubric

APPLICANTS = [
    ("सीमा मीणा", "Seema Meena"),
    ("राहुल शर्मा", "Rahul Sharma"),
    ("आसिफ खान", "Asif Khan"),
    ("पूजा सैनी", "Pooja Saini"),
    ("विकास यादव", "Vikas Yadav"),
    ("नेहा जैन", "Neha Jain"),
    ("महेंद्र चौधरी", "Mahendra Choudhary"),
    ("कविता मेघवाल", "Kavita Meghwal"),
    ("इमरान अंसारी", "Imran Ansari"),
    ("लक्ष्मी गुर्जर", "Lakshmi Gurjar"),
]


def demo_campaign(*, state: Unit, by, panel_members) -> Campaign | None:
    """The state's drive with ten applicants: some shortlisted and scheduled for today's interviews."""
    if Campaign.objects.filter(slug="rj-2026").exists():
        return None
    now = timezone.now()
    campaign = services.campaign_create(
        scope_unit=state,
        title_hi="संगठन सृजन अभियान",
        title_en="Organisation-building drive",
        slug="rj-2026",
        opens_at=now - datetime.timedelta(days=5),
        closes_at=now + datetime.timedelta(days=14),
        rubric=load_default_rubric(Rubric, Criterion),
        positions=[
            (Position.objects.get(level__code="booth", is_key=True), 200),
            (Position.objects.get(level__code="district", is_key=True), 3),
        ],
        reference_prefix="RJ-2026",
        notice_hi=DEFAULT_NOTICE_HI,
        notice_en=DEFAULT_NOTICE_EN,
        by=by,
    )
    booth_post = campaign.positions.get(position__level__code="booth")
    booths = list(Unit.objects.subtree(state).filter(level__code="booth", key_post_filled=False)[: len(APPLICANTS)])
    applications = []
    for index, ((name_hi, name_en), booth) in enumerate(zip(APPLICANTS, booths, strict=False)):
        data = {
            "applied_for": booth_post,
            "home_unit": booth,
            "mobile": f"97000{index:05d}",
            "name_hi": name_hi,
            "name_en": name_en,
            "email": "",
            "age": 22 + index,
            "gender": "",
            "occupation": "",
            "education": "",
            "languages": ["hi"],
            "social_accounts": [{"platform": "x", "handle": f"@demo{index}", "followers": 300 * index}],
            "statement": "मैं अपने बूथ पर संगठन की आवाज़ बनना चाहता/चाहती हूँ।",
            "writing_sample": "हर बूथ हो मजबूत!",
        }
        application, _created = services.application_submit(
            campaign=campaign, token=secrets.token_urlsafe(24), data=data, at=now - datetime.timedelta(days=index % 5)
        )
        applications.append(application)
    for application in applications[:6]:
        services.application_screen(application=application, shortlist=True, by=by)
    day = services.interview_day_create(campaign=campaign, date=timezone.localdate(), venue="प्रदेश कार्यालय, जयपुर", by=by)
    services.panel_create(day=day, name="A", members=panel_members, by=by)
    services.interviews_schedule(day=day, by=by)
    return campaign
