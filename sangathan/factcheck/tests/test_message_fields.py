"""The tipline's and the "report a rumour" form's text and link fields come from one factory."""

from django.utils import translation

from sangathan.factcheck.forms import TiplineForm
from sangathan.factcheck.models import LINK_MAX, TIP_TEXT_MAX
from sangathan.factcheck.report_forms import REPORT_TEXT_MAX, RumourReportForm


def test_both_forms_check_text_and_link_alike_with_their_own_labels_and_limits():
    tipline, report = TiplineForm(), RumourReportForm()
    assert tipline.fields["text"].max_length == TIP_TEXT_MAX
    assert report.fields["text"].max_length == REPORT_TEXT_MAX
    assert tipline.fields["link"].max_length == report.fields["link"].max_length == LINK_MAX
    assert tipline.fields["text"].label != report.fields["text"].label
    assert tipline.fields["link"].label != report.fields["link"].label
    for name in ("text", "link"):
        assert tipline.fields[name].error_messages == report.fields[name].error_messages
    assert list(tipline.fields)[:2] == list(report.fields)[:2] == ["text", "link"]


def test_a_link_without_scheme_is_https_and_a_bad_one_is_explained_in_hindi():
    form = RumourReportForm(data={"link": "example.com/page", "seen_on": "whatsapp"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["link"] == "https://example.com/page"
    with translation.override("hi"):
        bad = TiplineForm(data={"link": "http://"})
        assert not bad.is_valid()
        assert "https://example.com/page" in bad.errors["link"][0]


def test_text_over_the_report_limit_is_refused_with_the_count():
    form = RumourReportForm(data={"text": "x" * (REPORT_TEXT_MAX + 1), "seen_on": "whatsapp"})
    assert not form.is_valid()
    assert str(REPORT_TEXT_MAX + 1) in form.errors["text"][0]
