"""Publishing: the public fact-check page (Hindi and English) with its schema.org ClaimReview, read back
out of the page; only published claims are public. Importing ClaimReview archives: JSON-LD, a page, the
Fact Check Tools JSON and CSV, idempotent by URL, nothing stored when a row is bad."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.access.models import Role, RoleAssignment
from sangathan.factcheck.claimreview import claim_review, read_archive, verdict_from_rating
from sangathan.factcheck.importing import claims_import
from sangathan.factcheck.models import Claim, ClaimLink, ClaimLoad, LinkKind, Status, Verdict
from sangathan.factcheck.tests.samples import NOTES_EN, NOTES_HI
from sangathan.org.tests.factories import UserFactory
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _ld(html: str) -> dict:
    blocks = LD.findall(html)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def _page(client, claim, lang: str):
    return client.get(reverse("factcheck_public:claim", args=[claim.pk, lang]))


def test_the_public_page_carries_a_claim_review_in_hindi_and_english(client, published_claim, checkers):
    claim = published_claim(
        links=[
            ("https://x.com/rumour/1", LinkKind.APPEARANCE, ""),
            ("https://rbi.org.in/press", LinkKind.EVIDENCE, "RBI"),
        ]
    )
    hindi = _page(client, claim, "hi")
    assert hindi.status_code == 200
    html = hindi.content.decode()
    review = _ld(html)
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == NOTES_HI
    assert review["reviewRating"]["@type"] == "Rating"
    with translation.override("hi"):
        assert review["reviewRating"]["alternateName"] == str(Verdict.FALSE.label)
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["author"]["@type"] == "Organization" and review["author"]["name"]
    assert review["datePublished"] == timezone.localdate(claim.published_at).isoformat()
    assert review["url"].endswith(reverse("factcheck_public:claim", args=[claim.pk, "hi"]))
    assert review["itemReviewed"]["@type"] == "Claim"
    assert [a["url"] for a in review["itemReviewed"]["appearance"]] == ["https://x.com/rumour/1"]
    assert "रिज़र्व बैंक" in html and "https://rbi.org.in/press" in html

    english = _ld(_page(client, claim, "en").content.decode())
    assert english["claimReviewed"] == NOTES_EN and english["reviewRating"]["alternateName"] == "False"
    assert english["url"].endswith(f"/{claim.pk}/en/") and english["inLanguage"] == "en"


def test_only_published_claims_are_public(client, open_claim, published_claim):
    draft = open_claim(hi="अभी जांच में दावा", en="a claim under check")
    assert _page(client, draft, "hi").status_code == 404
    for status in ("triage", "verifying", "verdict"):
        Claim.objects.filter(pk=draft.pk).update(status=status)
        assert _page(client, draft, "en").status_code == 404
    claim = published_claim()
    assert _page(client, claim, "fr").status_code == 404
    assert client.get(f"/tip/checked/{claim.pk + 1000}/hi/").status_code == 404
    assert client.get(f"/tip/checked/{claim.pk}/hi/", REQUEST_METHOD="POST").status_code == 405


def test_script_in_a_claim_cannot_break_out_of_the_json_ld(client, published_claim):
    claim = published_claim(hi="</script><script>alert(1)</script> नोट बंद", en="x</script>")
    html = _page(client, claim, "hi").content.decode()
    assert "<script>alert(1)" not in html
    assert _ld(html)["claimReviewed"].startswith("</script>")


def test_the_claim_review_is_dated_by_the_day_in_india(published_claim):
    """Published at 00:10 IST on 1 January (18:40 UTC on 31 December): the markup says 1 January, as the page."""
    claim = published_claim()
    claim.published_at = datetime.datetime(2026, 12, 31, 18, 40, tzinfo=datetime.UTC)
    review = claim_review(claim=claim, url="https://example.org/c", language="hi", claim_text="x", appearances=[])
    assert review["datePublished"] == "2027-01-01"


# ---------------------------------------------------------------- import

JSON_LD = {
    "@context": "https://schema.org",
    "@graph": [
        {
            "@type": "ClaimReview",
            "url": "https://factcheck.example/evm-bluetooth",
            "claimReviewed": "ईवीएम को ब्लूटूथ से हैक किया जा सकता है",
            "datePublished": "2024-04-02",
            "author": {"@type": "Organization", "name": "Example Checks"},
            "reviewRating": {"@type": "Rating", "alternateName": "गलत"},
            "itemReviewed": {"@type": "Claim", "appearance": [{"url": "https://facebook.com/post/9"}]},
        },
        {"@type": "WebPage", "name": "not a review"},
    ],
}
TOOLS = {
    "claims": [
        {
            "text": "Polling has been moved to 15 May",
            "claimant": "viral post",
            "claimReview": [
                {
                    "publisher": {"name": "Check One", "site": "checkone.example"},
                    "url": "https://checkone.example/polling-date",
                    "title": "No, polling was not moved",
                    "reviewDate": "2024-05-01T10:00:00Z",
                    "textualRating": "Misleading",
                    "languageCode": "en",
                },
                {
                    "publisher": {"name": "Check Two"},
                    "url": "https://checktwo.example/voting-date",
                    "textualRating": "False",
                    "languageCode": "en",
                },
            ],
        }
    ],
    "nextPageToken": "x",
}
CSV = (
    "url,claim_reviewed,language,rating,author,date_published,claimant,appearance\n"
    "https://csv.example/1,बैंक तीन दिन बंद रहेंगे,hi,फर्जी,CSV Checks,2024-01-05,,https://wa.me/x https://t.me/y\n"
    "https://csv.example/2,Free recharge for every voter,en,True,CSV Checks,,,\n"
)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (json.dumps(JSON_LD).encode(), "archive.json", {"https://factcheck.example/evm-bluetooth": Verdict.FALSE}),
        (
            b"<html><head><script type='application/ld+json'>"
            + json.dumps(JSON_LD["@graph"][0]).encode()
            + b"</script></head><body>x</body></html>",
            "page.html",
            {"https://factcheck.example/evm-bluetooth": Verdict.FALSE},
        ),
        (
            json.dumps(TOOLS).encode(),
            "tools.json",
            {
                "https://checkone.example/polling-date": Verdict.MISLEADING,
                "https://checktwo.example/voting-date": Verdict.FALSE,
            },
        ),
        (CSV.encode(), "archive.csv", {"https://csv.example/1": Verdict.FALSE, "https://csv.example/2": Verdict.TRUE}),
    ],
)
def test_each_archive_format_is_imported_once(db, fresh_indexes, content, name, expected):
    first = claims_import(content=content, file_name=name)
    assert not first.errors and first.new == len(expected)
    claims = {claim.review_url: claim for claim in Claim.objects.all()}
    assert {url: claim.verdict for url, claim in claims.items()} == expected
    for claim in claims.values():
        assert claim.status == Status.PUBLISHED and claim.published_at and claim.unit is None
        assert claim.texts.count() == 1 and claim.review_author
    again = claims_import(content=content, file_name=name)
    assert again.new == 0 and again.known == len(expected)
    assert Claim.objects.count() == len(expected) and ClaimLoad.objects.count() == 1


def test_imported_fields_and_appearances(db, fresh_indexes):
    claims_import(content=CSV.encode(), file_name="a.csv")
    claim = Claim.objects.get(review_url="https://csv.example/1")
    assert claim.texts.get().language == "hi" and claim.rating_text == "फर्जी" and claim.review_author == "CSV Checks"
    assert claim.published_at.date().isoformat() == "2024-01-05"
    assert sorted(ClaimLink.objects.filter(claim=claim, kind=LinkKind.APPEARANCE).values_list("url", flat=True)) == [
        "https://t.me/y",
        "https://wa.me/x",
    ]


def test_a_bad_row_stores_nothing_and_names_the_row(db, fresh_indexes):
    bad = CSV + "not-a-url,कुछ,hi,False,X,2024-13-45,,\n,,,,,,,\n"
    with translation.override("en"):
        result = claims_import(content=bad.encode(), file_name="bad.csv")
    assert [number for number, _message in result.errors] == [3, 4]
    assert "date" in result.errors[0][1] and "url" in result.errors[0][1]
    assert not Claim.objects.exists() and not ClaimLoad.objects.exists()
    for content in (b"\xff\xfe\x00garbage", b"{not json", b"a,b\n1,2\n", b"[]", b'{"@type": "WebPage"}'):
        assert claims_import(content=content, file_name="x").errors
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b'{"claims": 1}',
        b'{"claims": [{"claimReview": 7}]}',
        b'{"claims": [{"text": 5, "claimReview": [{"url": {"x": 1}, "publisher": [[["deep"]]]}]}]}',
        b"[" * 5000 + b"]" * 5000,
        b'{"@graph": ' * 300 + b"{}" + b"}" * 300,
        b'[{"@type": "ClaimReview", "url": 12, "claimReviewed": ["x"], "reviewRating": {"alternateName": 3}}]',
        b'<html><script type="application/ld+json">' + b"[" * 5000 + b"]" * 5000 + b"</script></html>",
    ],
)
def test_a_strangely_shaped_archive_is_refused_not_a_500(db, fresh_indexes, content):
    """Review finding: these were TypeErrors and RecursionErrors (a 500 on the desk's upload)."""
    result = claims_import(content=content, file_name="archive.json")
    assert result.errors and not Claim.objects.exists()


def test_ratings_read_in_english_and_hindi():
    assert verdict_from_rating("Partly false") == Verdict.MISLEADING
    assert verdict_from_rating("Not true") == Verdict.FALSE
    assert verdict_from_rating("भ्रामक") == Verdict.MISLEADING
    assert verdict_from_rating("सच") == Verdict.TRUE
    assert verdict_from_rating("Satire") == Verdict.OUT_OF_SCOPE
    assert verdict_from_rating("") == Verdict.UNVERIFIED


def test_our_own_page_is_an_archive_another_desk_can_import(client, published_claim):
    claim = published_claim()
    html = _page(client, claim, "en").content
    rows = read_archive(html, "page.html").rows
    assert len(rows) == 1 and rows[0].claim_reviewed == NOTES_EN and rows[0].verdict == Verdict.FALSE


def test_the_command_imports_and_refuses_bad_files(db, fresh_indexes, tmp_path, capsys):
    good = tmp_path / "tools.json"
    good.write_text(json.dumps(TOOLS))
    call_command("factcheck_import", str(good))
    assert "2 new" in capsys.readouterr().out
    call_command("factcheck_import", str(good))
    assert "0 new, 2 already present" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + ",,,,,,,\n")
    with pytest.raises(CommandError) as refused:
        call_command("factcheck_import", str(bad))
    assert refused.value.returncode == 1 and "nothing was imported" in str(refused.value)
    assert "row 3" in capsys.readouterr().err
    assert Claim.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("factcheck_import", str(tmp_path / "missing.json"))


def test_the_desk_upload_is_for_the_national_desk_only(client, cast, checkers, tree, fresh_indexes):
    url = reverse("factcheck:claim_import")
    log_in(client, checkers.jaipur)
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": SimpleUploadedFile("a.csv", CSV.encode())}).status_code == 404
    assert not Claim.objects.exists()
    national = UserFactory(username="national")
    RoleAssignment.objects.create(user=national, unit=tree.india, role=Role.NATIONAL_ADMIN)
    log_in(client, national)
    refused = client.post(url, {"file": SimpleUploadedFile("a.csv", (CSV + "bad,,,,,,,\n").encode())})
    assert refused.status_code == 400 and "nothing was imported" in refused.content.decode()
    assert not Claim.objects.exists()
    done = client.post(url, {"file": SimpleUploadedFile("a.csv", CSV.encode())})
    assert done.status_code == 302 and Claim.objects.count() == 2
