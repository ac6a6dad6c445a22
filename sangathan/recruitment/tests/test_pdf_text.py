"""The appointment letter and the drive's poster: their text layer reads back exactly (issue 16), in Hindi
conjuncts and matras included, with a name full of them."""

import pytest
from django.urls import reverse

from sangathan.recruitment import services
from sangathan.recruitment.tests.staff_fixtures import *  # noqa: F403 (fixtures)
from sangathan.recruitment.tests.staff_fixtures import interview
from sangathan.testing import assert_pdf_reads_back, log_in

pytestmark = pytest.mark.django_db

NAME_HI = "क्षितिज श्रीवास्तव"


@pytest.fixture
def appointed(cast, day, submit, tree):
    application, _ = submit(home_unit=tree.booth1, mobile="98290 33333", name_en="Kshitij Srivastava", name_hi=NAME_HI)
    application = interview(application, day)
    return services.application_decide(application=application, decision="select", by=cast.state_admin)


def test_the_letter_reads_back_exactly(client, cast, appointed, pdf_sources):
    response = log_in(client, cast.district_admin).get(reverse("recruitment:letter", args=[appointed.pk]))
    assert response["Content-Type"] == "application/pdf"
    [html] = pdf_sources
    words = ("नियुक्ति", "दिनांक", "अंतर्गत", "प्रिय", "क्षेत्र", "संगठन", "हस्ताक्षर", "उज्ज्वल", "पहुँचाएँगे")
    text = assert_pdf_reads_back(response.content, html, words=(*words, *NAME_HI.split()))
    flat = " ".join(text.split())
    assert f"प्रिय {NAME_HI}," in flat and "बूथ प्रतिनिधि के पद पर नियुक्ति" in flat
    english = client.get(reverse("recruitment:letter", args=[appointed.pk]), {"lang": "en"})
    assert "Kshitij Srivastava" in assert_pdf_reads_back(english.content, pdf_sources[1])


def test_the_poster_reads_back_exactly(client, campaign, pdf_sources):
    response = client.get(reverse("apply:poster", args=[campaign.slug]))
    assert response["Content-Type"] == "application/pdf"
    [html] = pdf_sources
    text = assert_pdf_reads_back(response.content, html, words=("संगठन", "सृजन", "अभियान", "प्रतिनिधि", "जिला", "प्रभारी"))
    assert "संगठन सृजन अभियान" in " ".join(text.split())
