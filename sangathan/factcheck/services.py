"""Writes of the fact-check desk: claims and their texts.

Every function is keyword-only, runs in one transaction and leaves an audit entry: single writes through
django-auditlog's signals (``audit/registry.py``), the loader's bulk inserts as one entry per kind on the
``ClaimLoad`` that made them (``audit_bulk_action``). The matcher's index follows the database by itself
(``matching.sync``): a new claim reaches it on the next match, without a rebuild.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from sangathan.audit.services import audit_bulk_action
from sangathan.factcheck.loading import ClaimRow
from sangathan.factcheck.models import Claim, ClaimLoad, ClaimText
from sangathan.factcheck.normalise import normalise
from sangathan.org.models import Unit

CHUNK = 500  # ids per IN (...) look-up: far below SQLite's limit on parameters
FILE_NAME_MAX = 255  # ClaimLoad.file_name: the end of a longer path is kept


class FactCheckError(ValueError):
    """A write refused for a reason the user can fix (the message is translated)."""


@dataclass
class LoadResult:
    claims_new: int = 0
    texts_new: int = 0
    texts_changed: int = 0
    texts_unchanged: int = 0
    load: ClaimLoad | None = None
    new_claim_ids: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.claims_new or self.texts_new or self.texts_changed)


def claim_create(*, external_id: str, texts: dict[str, str], unit: Unit | None = None, by=None) -> Claim:
    """A claim with its text in each language of ``texts`` ({language: text})."""
    if not texts:
        raise FactCheckError("A claim needs at least one text.")
    with transaction.atomic():
        claim = Claim.objects.create(external_id=external_id, unit=unit, created_by=by)
        for language, text in texts.items():
            key = normalise(text)
            if not key:
                raise FactCheckError(f"The {language} text has no words to match.")
            ClaimText.objects.create(claim=claim, language=language, text=text, key=key)
    return claim


def claims_load(*, rows: list[ClaimRow], file_name: str, digest: str, by=None) -> LoadResult:
    """Add the claims and texts of checked rows (``loading.read_claims``): new claims, new languages of
    known claims, and texts that differ from the stored ones. Rows already present change nothing, so
    loading a file twice writes nothing the second time (not even a ``ClaimLoad``)."""
    result = LoadResult()
    by_claim: dict[str, list[ClaimRow]] = defaultdict(list)
    for row in rows:
        by_claim[row.external_id].append(row)
    with transaction.atomic():
        existing = _claims_by_external_id(list(by_claim))
        stored = _texts_of(list(existing.values()))
        new_claims = [Claim(external_id=external_id) for external_id in by_claim if external_id not in existing]
        if new_claims:
            Claim.objects.bulk_create(new_claims, batch_size=CHUNK)
            existing.update(_claims_by_external_id([claim.external_id for claim in new_claims]))
        new_texts: list[ClaimText] = []
        for external_id, claim_rows in by_claim.items():
            claim = existing[external_id]
            for row in claim_rows:
                text = stored.get((claim.pk, row.language))
                if text is None:
                    new_texts.append(ClaimText(claim=claim, language=row.language, text=row.text, key=row.key))
                elif text.text != row.text:
                    text.text, text.key = row.text, row.key
                    text.save(update_fields=["text", "key", "updated_at"])  # audited (signals)
                    result.texts_changed += 1
                else:
                    result.texts_unchanged += 1
        if new_texts:
            ClaimText.objects.bulk_create(new_texts, batch_size=CHUNK)
        result.claims_new, result.texts_new = len(new_claims), len(new_texts)
        result.new_claim_ids = [claim.external_id for claim in new_claims]
        if result.changed:
            result.load = ClaimLoad.objects.create(
                file_name=file_name[-FILE_NAME_MAX:],
                digest=digest,
                claims_new=result.claims_new,
                texts_new=result.texts_new,
                texts_changed=result.texts_changed,
                created_by=by if getattr(by, "is_authenticated", False) else None,
            )
            audit_bulk_action(
                obj=result.load,
                what="claims_loaded",
                count=result.claims_new,
                model=Claim,
                ids=[existing[external_id].pk for external_id in result.new_claim_ids],
                by=by,
            )
            audit_bulk_action(
                obj=result.load,
                what="claim_texts_loaded",
                count=result.texts_new,
                model=ClaimText,
                ids=_text_ids(new_texts),
                by=by,
            )
    return result


def _claims_by_external_id(external_ids: list[str]) -> dict[str, Claim]:
    found: dict[str, Claim] = {}
    for start in range(0, len(external_ids), CHUNK):
        chunk = external_ids[start : start + CHUNK]
        found.update((claim.external_id, claim) for claim in Claim.objects.filter(external_id__in=chunk))
    return found


def _texts_of(claims: list[Claim]) -> dict[tuple[int, str], ClaimText]:
    found: dict[tuple[int, str], ClaimText] = {}
    ids = [claim.pk for claim in claims]
    for start in range(0, len(ids), CHUNK):
        for text in ClaimText.objects.filter(claim_id__in=ids[start : start + CHUNK]):
            found[(text.claim_id, text.language)] = text
    return found


def _text_ids(texts: list[ClaimText]) -> list[int]:
    """The new texts' ids (bulk_create sets them on PostgreSQL and on SQLite ≥ 3.35)."""
    return [text.pk for text in texts if text.pk is not None]
