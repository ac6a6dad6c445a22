"""The public tipline form: what a person may send (text, a link, up to four pictures, a mobile number for
the answer), each checked before anything is stored."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from sangathan.factcheck.models import LINK_MAX, TIP_TEXT_MAX
from sangathan.factcheck.services import TipMediaIn
from sangathan.org.phones import form_mobile

IMAGES_MAX = 4
# What Pillow reads, and what the answer "type" is stored as.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
IMAGE_PIXELS_MAX = 40_000_000  # a 48-megapixel phone photo is 8000×6000; more is a decompression bomb


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Up to ``IMAGES_MAX`` pictures, each a real JPEG, PNG, WebP or GIF no larger than
    ``FACTCHECK_TIP_IMAGE_MAX_BYTES``: a file that only claims to be one is refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > IMAGES_MAX:
            raise forms.ValidationError(_("Send at most %(count)d pictures.") % {"count": IMAGES_MAX})
        return [checked_image(super(ImagesField, self).clean(item, initial)) for item in files]


def checked_image(upload: UploadedFile) -> TipMediaIn:
    """The upload as a tip picture, or a ``ValidationError`` saying what is wrong with it."""
    if upload.size is None or upload.size > settings.FACTCHECK_TIP_IMAGE_MAX_BYTES:
        raise forms.ValidationError(
            _("Each picture can be at most %(mb)d MB.") % {"mb": settings.FACTCHECK_TIP_IMAGE_MAX_BYTES // 2**20}
        )
    not_an_image = _("%(name)s is not a picture. Send a photo or screenshot (JPEG, PNG, WebP or GIF).") % {
        "name": upload.name
    }
    try:
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            if kind not in IMAGE_TYPES or width * height > IMAGE_PIXELS_MAX:
                raise forms.ValidationError(not_an_image)
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError(not_an_image) from None
    finally:
        upload.seek(0)
    return TipMediaIn(content_type=IMAGE_TYPES[kind], file=upload, size=upload.size)


def message_fields(*, text_label, text_max: int, link_label, rows: int) -> tuple[forms.CharField, forms.URLField]:
    """The text and link fields of a rumour sent to the desk (the public tipline, an office-bearer's "report a
    rumour"): the same checks and error messages, each form with its own labels and text limit."""
    text = forms.CharField(
        label=text_label,
        required=False,
        max_length=text_max,
        widget=forms.Textarea(attrs={"rows": rows, "placeholder": _("Paste the message here")}),
        error_messages={
            "max_length": _("This can be at most %(limit_value)d characters long (it has %(show_value)d)."),
            "null_characters_not_allowed": _("Remove the invisible control characters from this text."),
        },
    )
    link = forms.URLField(
        label=link_label,
        required=False,
        max_length=LINK_MAX,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a web address, e.g. https://example.com/page.")},
    )
    return text, link


class TiplineForm(forms.Form):
    text, link = message_fields(
        text_label=_("What did you receive?"),
        text_max=TIP_TEXT_MAX,
        link_label=_("A link, if there was one"),
        rows=6,
    )
    images = ImagesField(label=_("Photos or screenshots"), required=False)
    mobile = forms.CharField(
        label=_("Your mobile number, if you want our answer (optional)"),
        required=False,
        max_length=25,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_mobile(self) -> str:
        raw = self.cleaned_data["mobile"].strip()
        return form_mobile(raw) if raw else ""

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("text") or data.get("link") or data.get("images")):
            raise forms.ValidationError(_("Paste the message, a link or a photo: the form is empty."))
        return data
