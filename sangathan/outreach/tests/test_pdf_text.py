"""The delivery report as PDF: its text layer reads back exactly (issue 16)."""

import pytest
from django.urls import reverse

from sangathan.testing import assert_pdf_reads_back, log_in

pytestmark = pytest.mark.django_db

TITLE = "ज़िला प्रशिक्षण शिविर: कार्यकर्ता सम्मेलन"


def test_the_delivery_report_reads_back_exactly(client, tree, cast, in_charges, make_draft, send, pdf_sources):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin, title=TITLE)
    send(message, cast.district_admin)
    log_in(client, cast.district_admin, language="hi")
    response = client.get(reverse("outreach:report", args=[message.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    [html] = pdf_sources
    text = assert_pdf_reads_back(response.content, html, words=(*TITLE.replace(":", "").split(), "प्रभारी", "विद्यालय"))
    assert TITLE in " ".join(text.split())
