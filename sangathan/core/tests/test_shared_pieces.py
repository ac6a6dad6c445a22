"""The small pieces the apps share instead of copying them: the public rate limits' helper, the pager and
form-field partials, the form-to-service and PATCH helpers, the importers' cell loop."""

from types import SimpleNamespace

import pytest
from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from sangathan.core.api import patched
from sangathan.core.forms import service_kwargs
from sangathan.core.importing import filled_cells
from sangathan.core.ratelimits import RETRY_AFTER_SECONDS, PublicLimits


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_public_limits_count_per_group_and_answer_429_with_the_apps_page(settings):
    settings.TEST_SHARED_RATE_IP = "2/h"
    limits = PublicLimits(app="test", defaults={"TEST_SHARED_RATE_IP": "100/h"}, page="recruitment/public/limited.html")
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.8")
    answers = [limits.over(request, "form", "TEST_SHARED_RATE_IP") for _ in range(3)]
    assert answers == [False, False, True]  # the setting wins over the app's default
    assert limits.over(request, "other", "TEST_SHARED_RATE_IP") is False  # each group counts on its own

    with translation.override("en"):
        response = limits.refused(request)
    assert response.status_code == 429
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Please wait a while" in response.content.decode()


def test_the_public_limits_default_is_used_without_a_setting():
    limits = PublicLimits(app="test", defaults={"TEST_UNSET_RATE_IP": "1/h"}, page="recruitment/public/limited.html")
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.9")
    assert [limits.over(request, "form", "TEST_UNSET_RATE_IP") for _ in range(2)] == [False, True]


def _pager(number: int, **extra) -> str:
    page = Paginator(list(range(3000)), 1).get_page(number)
    with translation.override("en"):
        return render_to_string("partials/pager.html", {"page": page, **extra})


def test_the_pager_keeps_the_query_and_anchor_and_writes_page_numbers_plainly(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    html = _pager(1500, query="post=7", anchor="#units-below")
    assert 'href="?post=7&amp;page=1499#units-below"' in html
    assert 'href="?post=7&amp;page=1501#units-below"' in html
    assert 'class="btn"' in html and "btn-small" not in html


def test_the_pager_without_a_query_and_with_its_own_labels():
    html = _pager(1, small=True, previous="Newer", next="Older")
    assert 'href="?page=2"' in html and "Older →" in html
    assert "Newer" not in html  # no page before the first
    assert "btn btn-small" in html


def test_a_single_page_has_no_pager():
    page = Paginator([1, 2], 10).get_page(1)
    assert render_to_string("partials/pager.html", {"page": page}).strip() == ""


class _Form(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your card.")
    agree = forms.BooleanField(label="I agree", required=False)


def test_the_form_fields_partial_shows_labels_help_errors_and_check_boxes_beside_their_label():
    form = _Form(data={})
    form.is_valid()
    html = render_to_string("partials/form_fields.html", {"form": form})
    assert '<label for="id_name">Name *</label>' in html
    assert "As on your card." in html
    assert 'class="field has-error"' in html
    assert '<label class="check"><input type="checkbox" name="agree"' in html


def test_service_kwargs_takes_the_named_values_only():
    data = {"venue": "Block office", "capacity": 40, "day": "2026-12-08"}
    assert service_kwargs(data, "venue", "capacity") == {"venue": "Block office", "capacity": 40}
    with pytest.raises(KeyError):
        service_kwargs(data, "trainers")


def test_patched_keeps_what_was_not_sent():
    unit = SimpleNamespace(name_hi="जयपुर", name_en="Jaipur", number=None)
    assert patched(unit, {"name_en": "Jaipur City"}, ("name_hi", "name_en", "number")) == {
        "name_hi": "जयपुर",
        "name_en": "Jaipur City",
        "number": None,
    }


def test_filled_cells_skips_empty_and_missing_cells():
    columns = [SimpleNamespace(index=i, name=name) for i, name in enumerate(["a", "b", "c", "d"])]
    cells = [" Jaipur ", None, 45.0]  # a short row: "d" has no cell
    assert [(c.name, raw, text) for c, raw, text in filled_cells(cells, columns)] == [
        ("a", " Jaipur ", "Jaipur"),
        ("c", 45.0, "45"),
    ]
