"""Storing an archive of ClaimReviews (``claimreview.read_archive``): each review a published claim of no
unit (an archive is every desk's), known by its URL, with its text, verdict, the rating as written, its
author and the places the claim appeared. All or nothing: a file with a bad row stores nothing; a review
already stored (the same URL) is left as it is, so importing a file again adds nothing."""

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sangathan.factcheck.claimreview import Archive, read_archive
from sangathan.factcheck.models import Claim, ClaimLink, ClaimLoad, ClaimText, LinkKind, Status
from sangathan.factcheck.normalise import normalise
from sangathan.factcheck.services import FILE_NAME_MAX


@dataclass
class ImportResult:
    archive: Archive
    new: int = 0
    known: int = 0
    load: ClaimLoad | None = None

    @property
    def errors(self) -> list[tuple[int, str]]:
        return self.archive.errors


def claims_import(*, content: bytes, file_name: str, by=None) -> ImportResult:
    """Read and store an archive (see the module docstring). ``result.errors`` non-empty: nothing stored."""
    archive = read_archive(content, file_name)
    result = ImportResult(archive=archive)
    if archive.errors:
        return result
    actor = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        known = set(
            Claim.objects.filter(external_id__in=[row.external_id for row in archive.rows]).values_list(
                "external_id", flat=True
            )
        )
        for row in archive.rows:
            if row.external_id in known:
                result.known += 1
                continue
            known.add(row.external_id)
            published = (
                datetime.datetime.combine(row.date_published, datetime.time(12), tzinfo=datetime.UTC)
                if row.date_published
                else timezone.now()
            )
            claim = Claim.objects.create(  # audited (signals), as each text and link below
                external_id=row.external_id,
                status=Status.PUBLISHED,
                status_since=published,
                published_at=published,
                verdict=row.verdict,
                rating_text=row.rating,
                review_author=row.author,
                review_url=row.url,
                claimant=row.claimant,
                created_by=actor,
            )
            ClaimText.objects.create(
                claim=claim, language=row.language, text=row.claim_reviewed, key=normalise(row.claim_reviewed)
            )
            for link in dict.fromkeys(row.appearances):
                ClaimLink.objects.create(claim=claim, kind=LinkKind.APPEARANCE, url=link, created_by=actor)
            result.new += 1
        if result.new:
            result.load = ClaimLoad.objects.create(
                file_name=file_name[-FILE_NAME_MAX:],
                digest=hashlib.sha256(content).hexdigest(),
                claims_new=result.new,
                texts_new=result.new,
                created_by=actor,
            )
    return result
