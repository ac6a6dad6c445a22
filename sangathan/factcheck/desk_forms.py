"""Forms of the fact-check desk's pages. They check what a person typed; the rules live in ``desk``."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from sangathan.factcheck.desk import DESK, TRANSITIONS
from sangathan.factcheck.forms import checked_image
from sangathan.factcheck.models import LINK_MAX, REBUTTAL_MAX, REBUTTAL_X_MAX, TEXT_MAX, LinkKind, Status, Verdict
from sangathan.org.models import Unit

DESK_UNIT_DEPTH = 3  # nation, state, district: the desks that open claims
PDF = "application/pdf"
IMPORT_MAX_BYTES = 10 * 2**20


def _text(label, *, limit: int = TEXT_MAX, rows: int = 4, required: bool = False):
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "max_length": _("This can be at most %(limit_value)d characters long (it has %(show_value)d).")
        },
    )


class ClaimNewForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Desk of"))
    text_hi = _text(_("The claim in Hindi"))
    text_en = _text(_("The claim in English"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = (
            Unit.objects.restrict(user, DESK)
            .filter(depth__lte=DESK_UNIT_DEPTH)
            .select_related("level")
            .order_by("path")
        )

    def clean(self):
        data = super().clean() or {}
        if not self.errors and not ((data.get("text_hi") or "").strip() or (data.get("text_en") or "").strip()):
            raise forms.ValidationError(_("Write the claim in Hindi or English."))
        return data


class ClaimEditForm(forms.Form):
    text_hi = _text(_("The claim in Hindi"))
    text_en = _text(_("The claim in English"))
    rebuttal_hi = _text(_("Rebuttal (Hindi)"), limit=REBUTTAL_MAX, rows=5)
    rebuttal_en = _text(_("Rebuttal (English)"), limit=REBUTTAL_MAX, rows=5)
    rebuttal_whatsapp = _text(_("WhatsApp text"), limit=REBUTTAL_MAX)
    rebuttal_x = _text(_("X post (280 characters)"), limit=REBUTTAL_X_MAX, rows=3)
    rebuttal_facebook = _text(_("Facebook post"), limit=REBUTTAL_MAX)

    def clean_rebuttal_x(self) -> str:
        value = self.cleaned_data["rebuttal_x"].strip()
        if len(value) > 280:
            raise forms.ValidationError(_("An X post can be at most 280 characters long."))
        return value


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    verdict = forms.ChoiceField(choices=[("", "—"), *Verdict.choices], required=False, label=_("Verdict"))

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, **kwargs)
        to = self.fields["to"]
        if claim is not None and isinstance(to, forms.ChoiceField):
            to.choices = [(s, Status(s).label) for s in TRANSITIONS.get(claim.status, ())]


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Assigned to"), empty_label=_("Nobody")
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = users


class LinkForm(forms.Form):
    url = forms.URLField(
        label=_("Link"),
        max_length=LINK_MAX,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a web address, e.g. https://example.com/page.")},
    )
    kind = forms.ChoiceField(choices=LinkKind.choices, label=_("Kind"), initial=LinkKind.EVIDENCE)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class EvidenceFileForm(forms.Form):
    """A picture (opened with Pillow, as the tipline's) or a PDF (its header read) up to the tipline's
    picture limit."""

    file = forms.FileField(label=_("Evidence file (picture or PDF)"))

    def clean_file(self) -> tuple[UploadedFile, str]:
        upload = self.cleaned_data["file"]
        limit = settings.FACTCHECK_TIP_IMAGE_MAX_BYTES
        if upload.size is None or upload.size > limit:
            raise forms.ValidationError(_("The file can be at most %(mb)d MB.") % {"mb": limit // 2**20})
        head = upload.read(5)
        upload.seek(0)
        if head == b"%PDF-":
            return upload, PDF
        media = checked_image(upload)
        return upload, media.content_type


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("ClaimReview file (JSON-LD, a page, Fact Check Tools JSON or CSV)"),
        help_text=_("CSV columns: url, claim_reviewed, language, rating, author, date_published."),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size is None or upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file can be at most %(mb)d MB.") % {"mb": IMPORT_MAX_BYTES // 2**20})
        return upload
