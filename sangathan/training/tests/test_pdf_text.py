"""The training certificate and the camp's check-in poster: their text layer reads back exactly (issue 16)."""

import pytest
from django.urls import reverse

from sangathan.testing import assert_pdf_reads_back, log_in
from sangathan.training import services
from sangathan.training.tests.conftest import MONDAY, code_of, local

pytestmark = pytest.mark.django_db


def test_the_certificate_reads_back_exactly(client, cast, camp, people, pdf_sources):
    completion = services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=local(MONDAY, 10)
    ).completion
    log_in(client, cast.district_admin, language="hi")
    response = client.get(reverse("training:certificate", args=[completion.pk]))
    assert response["Content-Type"] == "application/pdf"
    [html] = pdf_sources
    words = ("प्रशिक्षण", "प्रमाण-पत्र", "प्रमाणित", "आयोजित", "सफलतापूर्वक", "पूर्ण", "हस्ताक्षर", "प्रकोष्ठ", "सीमा", "शर्मा")
    text = assert_pdf_reads_back(response.content, html, words=words)
    assert "प्रशिक्षण प्रमाण-पत्र" in " ".join(text.split())


def test_the_check_in_poster_reads_back_exactly(client, cast, camp, pdf_sources):
    log_in(client, cast.district_admin, language="hi")
    response = client.get(reverse("training:camp_poster", args=[camp.pk]))
    assert response["Content-Type"] == "application/pdf"
    [html] = pdf_sources
    text = assert_pdf_reads_back(response.content, html, words=("ब्लॉक", "कार्यालय", "उपस्थिति", "दिसंबर"))
    assert "ब्लॉक कार्यालय, आमेर" in " ".join(text.split())
