"""schema.org ClaimReview: the JSON-LD of a published fact-check, and reading archives of them.

Out: ``claim_review(claim, url=..., language=...)`` is the object the public page embeds (Google's
fact-check markup: claimReviewed, reviewRating with its alternateName, author, datePublished, url,
itemReviewed with the places the claim appeared).

In: ``read_archive(content, name)`` reads, by what the file holds,
* a JSON-LD document: one ClaimReview, a list of them, an ``@graph``, or an HTML page whose
  ``<script type="application/ld+json">`` blocks hold them;
* the Google Fact Check Tools API's JSON (``{"claims": [{"text", "claimant", "claimReview": [...]}]}``):
  one row per review;
* CSV, UTF-8, header ``url,claim_reviewed,language,rating,author,date_published`` (and optionally
  ``claimant``, ``appearance``: several addresses separated by spaces).
Each review is known by its URL, so importing a file again adds nothing. Rows are checked first; a file
with any bad row is refused with every row's error and nothing is stored (``services_import``).
"""

import csv
import datetime
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.factcheck.models import (
    ARCHIVE_FIELD_MAX,
    EXTERNAL_ID_MAX,
    LINK_MAX,
    TEXT_MAX,
    Claim,
    Language,
    Verdict,
)

CSV_HEADER = ("url", "claim_reviewed", "language", "rating", "author", "date_published")
CSV_OPTIONAL = ("claimant", "appearance")
ROWS_MAX = 50_000

# What a verdict is called in ClaimReview's reviewRating, worst (1) to best (5); out of scope has no rating.
RATING_VALUE = {Verdict.FALSE: 1, Verdict.MISLEADING: 2, Verdict.UNVERIFIED: 3, Verdict.TRUE: 5}
# Words of archives' textual ratings, read in this order ("partly false" is misleading, "not true" false).
RATING_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        Verdict.MISLEADING,
        ("misleading", "partly", "partially", "half", "mixture", "missing context", "out of context", "भ्रामक"),
    ),
    (
        Verdict.FALSE,
        ("false", "fake", "incorrect", "not true", "wrong", "hoax", "pants on fire", "गलत", "ग़लत", "फर्जी", "झूठ", "फेक"),
    ),
    (Verdict.TRUE, ("true", "correct", "accurate", "सही", "सच")),
    (Verdict.OUT_OF_SCOPE, ("satire", "opinion", "व्यंग्य")),
)


def verdict_from_rating(text: str) -> str:
    folded = (text or "").casefold()
    for verdict, words in RATING_WORDS:
        if any(word in folded for word in words):
            return verdict
    return Verdict.UNVERIFIED


def claim_review(*, claim: Claim, url: str, language: str, claim_text: str, appearances: list[str]) -> dict:
    """The ClaimReview object of a published claim, as its public page at ``url`` embeds it."""
    rating: dict = {
        "@type": "Rating",
        "alternateName": str(Verdict(claim.verdict).label),
        "bestRating": 5,
        "worstRating": 1,
    }
    if claim.verdict in RATING_VALUE:
        rating["ratingValue"] = RATING_VALUE[Verdict(claim.verdict)]
    item: dict = {"@type": "Claim", "appearance": [{"@type": "CreativeWork", "url": link} for link in appearances]}
    if claim.claimant:
        item["author"] = {"@type": "Organization", "name": claim.claimant}
    # The day in India, as the page shows it: a claim published at 00:10 IST is not dated the day before (UTC).
    published = timezone.localdate(claim.published_at).isoformat() if claim.published_at else None
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "datePublished": published,
        "inLanguage": language,
        "claimReviewed": claim_text,
        "author": {"@type": "Organization", "name": claim.review_author or settings.FACTCHECK_PUBLISHER},
        "reviewRating": rating,
        "itemReviewed": item,
    }


def json_ld(data: dict) -> str:
    """JSON safe inside a ``<script>`` element (as Django's ``json_script`` escapes it)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


# ---------------------------------------------------------------- reading archives


@dataclass
class ReviewRow:
    """One review read from an archive, checked."""

    number: int
    url: str
    claim_reviewed: str
    language: str
    rating: str
    author: str
    date_published: datetime.date | None
    claimant: str = ""
    appearances: list[str] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        return review_external_id(self.url)

    @property
    def verdict(self) -> str:
        return verdict_from_rating(self.rating)


@dataclass
class Archive:
    rows: list[ReviewRow]
    errors: list[tuple[int, str]]


def review_external_id(url: str) -> str:
    """A claim's reference from its review's URL: the URL itself when it fits, else a digest of it."""
    if len(url) <= EXTERNAL_ID_MAX:
        return url
    return "claimreview:" + hashlib.sha256(url.encode()).hexdigest()[:64]


class _LdScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type", "").lower() == "application/ld+json":
            self._inside = True
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


NESTING_MAX = 20  # lists and @graph within each other; a real archive needs three


def _reviews_in(node, depth: int = 0) -> list[dict]:
    """Every ClaimReview object in a JSON-LD value (lists, ``@graph``), looked for ``NESTING_MAX`` deep at most
    (a file nested thousands deep was a RecursionError: a 500)."""
    if depth > NESTING_MAX:
        return []
    if isinstance(node, list):
        return [review for item in node for review in _reviews_in(item, depth + 1)]
    if not isinstance(node, dict):
        return []
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "ClaimReview" in kinds:
        return [node]
    return _reviews_in(node.get("@graph", []), depth + 1)


def _text(value) -> str:
    """A JSON value that should be text, or "" (a number or an object where text belongs is not read)."""
    return value if isinstance(value, str) else ""


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _name(value) -> str:
    """An author's or publisher's name: an object with a name, a list of them (the first), or text."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _appearances(item) -> list[str]:
    found = []
    if isinstance(item, dict):
        values = item.get("appearance") or item.get("firstAppearance") or []
        for value in values if isinstance(values, list) else [values]:
            url = value.get("url") if isinstance(value, dict) else value
            if isinstance(url, str) and url:
                found.append(url)
    return found


def _from_json_ld(review: dict) -> dict:
    item = review.get("itemReviewed") or {}
    rating = review.get("reviewRating") or {}
    return {
        "url": _text(review.get("url")),
        "claim_reviewed": _text(review.get("claimReviewed")),
        "language": _text(review.get("inLanguage")),
        "rating": (_text(rating.get("alternateName")) or _text(rating.get("name"))) if isinstance(rating, dict) else "",
        "author": _name(review.get("author")),
        "date_published": _text(review.get("datePublished")),
        "claimant": _name(item.get("author")) if isinstance(item, dict) else "",
        "appearance": _appearances(item),
    }


def _from_fact_check_tools(data: dict) -> list[dict]:
    rows: list[dict] = []
    for claim in _list(data.get("claims")):
        if not isinstance(claim, dict):
            rows.append({})
            continue
        for review in _list(claim.get("claimReview")) or [{}]:
            review = review if isinstance(review, dict) else {}
            rows.append(
                {
                    "url": _text(review.get("url")),
                    "claim_reviewed": _text(claim.get("text")),
                    "language": _text(review.get("languageCode")),
                    "rating": _text(review.get("textualRating")),
                    "author": _name(review.get("publisher")),
                    "date_published": _text(review.get("reviewDate")),
                    "claimant": _text(claim.get("claimant")),
                    "appearance": [],
                }
            )
    return rows


def _raw_rows(content: bytes, name: str) -> tuple[list[dict], str]:
    """The file's reviews as plain dicts, or ([], error)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], _("The file is not UTF-8 text.")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except RecursionError:
            return [], _("The file is not valid JSON: %(error)s") % {"error": _("nested too deep")}
        except ValueError as exc:
            return [], _("The file is not valid JSON: %(error)s") % {"error": exc}
        if isinstance(data, dict) and "claims" in data:
            return _from_fact_check_tools(data), ""
        return [_from_json_ld(review) for review in _reviews_in(data)], ""
    if stripped.startswith("<") or name.lower().endswith((".html", ".htm")):
        parser = _LdScripts()
        parser.feed(text)
        reviews = []
        for block in parser.blocks:
            try:
                reviews.extend(_reviews_in(json.loads(block)))
            except (ValueError, RecursionError):
                continue
        return [_from_json_ld(review) for review in reviews], ""
    reader = csv.DictReader(io.StringIO(text))
    header = [column.strip() for column in reader.fieldnames or []]
    missing = [column for column in CSV_HEADER if column not in header]
    if missing:
        return [], _("The CSV file needs the columns %(columns)s.") % {"columns": ",".join(CSV_HEADER)}
    rows: list[dict] = []
    for row in reader:
        row = {(key or "").strip(): (value or "") for key, value in row.items()}
        row["appearance"] = (row.get("appearance") or "").split()
        rows.append(row)
    return rows, ""


def _language(value: str, text: str) -> str:
    value = (value or "").strip().lower()
    if value.startswith("hi"):
        return Language.HINDI
    if value.startswith("en"):
        return Language.ENGLISH
    letters = [ch for ch in text if ch.isalpha()]
    devanagari = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("DEVANAGARI"))
    return Language.HINDI if letters and devanagari / len(letters) >= 0.3 else Language.ENGLISH


def _date(value: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    return datetime.date.fromisoformat(value[:10])


def read_archive(content: bytes, name: str = "") -> Archive:
    """The file's reviews checked (see the module docstring); errors by row number (1 = the first review)."""
    raw, error = _raw_rows(content, name)
    if error:
        return Archive(rows=[], errors=[(0, error)])
    if not raw:
        return Archive(rows=[], errors=[(0, _("The file holds no ClaimReview."))])
    if len(raw) > ROWS_MAX:
        return Archive(rows=[], errors=[(0, _("At most %(count)d reviews per file.") % {"count": ROWS_MAX})])
    valid_url = URLValidator(schemes=["http", "https"])
    rows: list[ReviewRow] = []
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        url = str(item.get("url") or "").strip()
        text = str(item.get("claim_reviewed") or "").strip()
        problems = []
        try:
            valid_url(url)
            if len(url) > LINK_MAX:
                raise ValidationError("long")
        except ValidationError:
            problems.append(_("the review's address (url) is missing or not a web address"))
        if not text:
            problems.append(_("the claim reviewed is empty"))
        elif len(text) > TEXT_MAX:
            problems.append(_("the claim reviewed is longer than %(max)d characters") % {"max": TEXT_MAX})
        try:
            date = _date(str(item.get("date_published") or ""))
        except ValueError:
            date = None
            problems.append(_("the date is not a date (YYYY-MM-DD)"))
        appearances = [str(link).strip() for link in item.get("appearance") or [] if str(link).strip()]
        for link in appearances:
            try:
                valid_url(link)
            except ValidationError:
                problems.append(_("%(link)s is not a web address") % {"link": link[:80]})
        if url in seen and not problems:
            continue  # the same review twice in one file
        if problems:
            errors.append((number, "; ".join(problems)))
            continue
        seen.add(url)
        rows.append(
            ReviewRow(
                number=number,
                url=url,
                claim_reviewed=text,
                language=_language(str(item.get("language") or ""), text),
                rating=str(item.get("rating") or "").strip()[:ARCHIVE_FIELD_MAX],
                author=str(item.get("author") or "").strip()[:ARCHIVE_FIELD_MAX],
                date_published=date,
                claimant=str(item.get("claimant") or "").strip()[:ARCHIVE_FIELD_MAX],
                appearances=[link for link in appearances if len(link) <= LINK_MAX],
            )
        )
    return Archive(rows=rows, errors=errors)
