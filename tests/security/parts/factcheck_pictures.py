"""The fact-check desk's picture thumbnails in the scope matrix: a picture on each column's tip and an evidence
picture on each column's claim (``factcheck_desk`` builds the claims first: parts are built by name). A
thumbnail is seen by whoever may see the tip or the claim; a sibling district gets 404."""

from tests.security.matrix import Endpoint


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "PNG")
    return buffer.getvalue()


def build(w):
    from django.core.files.base import ContentFile

    from sangathan.factcheck.models import ClaimFile, TipMedia

    data = _png()
    for column in w.units["unit"]:
        media = TipMedia(tip=w.objects["tip"][column], content_type="image/png", size=len(data))
        media.file.save(f"tip-{column}.png", ContentFile(data), save=False)
        media.save()
        w.objects.setdefault("tip_picture", {})[column] = media
        evidence = ClaimFile(
            claim=w.objects["claim"][column], name=f"{column}.png", content_type="image/png", size=len(data)
        )
        evidence.file.save(f"{column}.png", ContentFile(data), save=False)
        evidence.save()
        w.objects.setdefault("claim_picture", {})[column] = evidence


WEB = [
    Endpoint("factcheck.tip_picture", "factcheck:tip_picture", obj="tip_picture"),
    Endpoint("factcheck.claim_picture", "factcheck:claim_picture", obj="claim_picture"),
]
