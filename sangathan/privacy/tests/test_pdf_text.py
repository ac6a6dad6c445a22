"""The applicant's copy of their data as PDF: its text layer reads back exactly (issue 16)."""

import pytest
from django.urls import reverse

from sangathan.privacy.tests.test_views import ticket_of
from sangathan.testing import assert_pdf_reads_back

pytestmark = pytest.mark.django_db


def test_my_data_reads_back_exactly(client, submit, tree, pdf_sources):
    application, _ = submit(
        home_unit=tree.booth1, mobile="98290 11111", name_en="Kshitij Srivastava", name_hi="क्षितिज श्रीवास्तव"
    )
    response = client.post(reverse("privacy:my_pdf"), {"ticket": ticket_of(client, application)})
    assert response["Content-Type"] == "application/pdf"
    [html] = pdf_sources
    text = assert_pdf_reads_back(response.content, html, words=("क्षितिज", "श्रीवास्तव", "आवेदन"))
    assert application.reference in text
