"""A campaign's privacy notice is recorded by the services that write the campaign (no signal does it)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sangathan.org.tests.factories import UserFactory
from sangathan.privacy.models import Notice
from sangathan.recruitment import services
from sangathan.recruitment.models import Campaign

pytestmark = pytest.mark.django_db


def _versions(campaign):
    return list(Notice.objects.filter(campaign=campaign).order_by("version").values_list("version", "text_hi"))


def test_creating_a_campaign_records_its_notice(campaign):
    assert _versions(campaign) == [(1, campaign.notice_hi)]


def test_a_plain_save_records_nothing_the_service_does(campaign):
    campaign.notice_hi, campaign.notice_version = "दूसरी सूचना", 2
    campaign.save()  # no signal: a model save is not how a notice changes
    assert _versions(campaign) == [(1, Notice.objects.get(campaign=campaign).text_hi)]
    services.campaign_update(campaign=campaign, changes={"notice_hi": "दूसरी सूचना", "notice_version": 2})
    assert [v for v, _t in _versions(campaign)] == [1, 2]
    assert _versions(campaign)[1] == (2, "दूसरी सूचना")


def test_campaign_update_changes_only_what_may_be_corrected(campaign):
    with pytest.raises(ValueError):
        services.campaign_update(campaign=campaign, changes={"slug": "other"})
    assert Campaign.objects.get(pk=campaign.pk).slug == "rj-2026"


def _local(value):
    value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")


def test_a_new_notice_version_in_the_admin_is_recorded(client, campaign):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    opens, closes = _local(campaign.opens_at), _local(campaign.closes_at)
    data = {
        "title_hi": campaign.title_hi,
        "title_en": campaign.title_en,
        "opens_at_0": opens[0],
        "opens_at_1": opens[1],
        "closes_at_0": closes[0],
        "closes_at_1": closes[1],
        "rubric": campaign.rubric_id,
        "notice_hi": "संशोधित सूचना",
        "notice_en": "Revised notice",
        "notice_version": 2,
        "positions-TOTAL_FORMS": 0,
        "positions-INITIAL_FORMS": 0,
        "positions-MIN_NUM_FORMS": 0,
        "positions-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    response = client.post(reverse("admin:recruitment_campaign_change", args=[campaign.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign.refresh_from_db()
    assert (campaign.notice_version, campaign.notice_en) == (2, "Revised notice")
    notice = Notice.objects.get(campaign=campaign, version=2)
    assert (notice.text_hi, notice.text_en) == ("संशोधित सूचना", "Revised notice")
