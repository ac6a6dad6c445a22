"""The public application form and the status form (no login).

They check the shape of what people type and that the chosen places and post belong to the campaign;
``services.application_submit`` does the writing. Every message is translatable and every field
keeps what was typed when the form comes back with errors.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from cachetools import TTLCache
from django import forms
from django.conf import settings
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from sangathan.core.kept import kept as core_kept
from sangathan.core.validators import MARKUP_MESSAGE, has_markup
from sangathan.org.models import Level, SocialAccount, Unit
from sangathan.org.phones import ascii_digits, form_mobile
from sangathan.org.selectors import units_by_name_or_number
from sangathan.recruitment.models import Campaign, CampaignPosition

# Where the applicant lives, chosen top-down with a type-ahead. Level codes of the default template.
PLACE_STEPS = ("district", "assembly", "booth")
PLACE_MATCHES = 20
SOCIAL_ROWS = 3
MAX_FOLLOWERS = 500_000_000  # three of these still fit the followers_total column
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Control characters (Unicode category Cc) but tab, newline and NUL (NUL is refused by CharField, not hidden),
# and invisible characters that only hide or reorder text: zero-width space, word joiner, byte-order mark, and
# the bidirectional overrides and isolates. Zero-width (non-)joiners stay: Devanagari spelling needs them.
CONTROL_RE = re.compile("[\x01-\x08\x0b-\x1f\x7f-\x9f\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
DEVANAGARI_NAME_RE = re.compile(r"[\u0900-\u097F\uA8E0-\uA8FF\u200C\u200D .'-]+")
LATIN_NAME_RE = re.compile(r"[A-Za-z\u00C0-\u024F .'-]+")

LANGUAGE_CHOICES = [
    ("hi", _("Hindi")),
    ("en", _("English")),
    ("ur", _("Urdu")),
    ("pa", _("Punjabi")),
    ("gu", _("Gujarati")),
    ("mr", _("Marathi")),
    ("bn", _("Bengali")),
]
GENDER_CHOICES = [
    ("", _("Prefer not to say")),
    ("female", _("Female")),
    ("male", _("Male")),
    ("other", _("Other")),
]

# Loose checks of what people give as an account: a handle in the platform's alphabet, or a link to it.
HANDLE_RES = {
    "x": re.compile(r"@?[A-Za-z0-9_]{1,15}"),
    "instagram": re.compile(r"@?[A-Za-z0-9._]{1,30}"),
    "facebook": re.compile(r"@?[A-Za-z0-9.-]{1,80}"),
    "youtube": re.compile(r"@?[A-Za-z0-9._-]{3,100}"),
    "telegram": re.compile(r"@?[A-Za-z0-9_]{4,32}"),
    "whatsapp": re.compile(r"\+?[0-9][0-9 -]{8,16}"),
}
URL_HOSTS = {
    "x": ("x.com", "twitter.com"),
    "instagram": ("instagram.com", "instagr.am"),
    "facebook": ("facebook.com", "fb.com", "fb.me"),
    "youtube": ("youtube.com", "youtu.be"),
    "telegram": ("t.me", "telegram.me"),
    "whatsapp": ("wa.me", "whatsapp.com"),
}


def _text_errors(**extra) -> dict:
    return {
        "required": _("Please fill this in."),
        "max_length": _("This can be at most %(limit_value)d characters long (it has %(show_value)d)."),
        "null_characters_not_allowed": _("Remove the invisible control characters from this text."),
        **extra,
    }


class PlainTextField(forms.CharField):
    """Text as people type it on a phone: NFC, Unix newlines, no control characters except NUL
    (which is refused, not hidden), and no HTML tags (the text goes into messages and exports)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", _text_errors())
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
            value = CONTROL_RE.sub("", value)
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if has_markup(value):  # the rule of every entry point (core.validators), closed tag or not
            raise forms.ValidationError(MARKUP_MESSAGE, code="html")


NAME_SCRIPTS = {
    "devanagari": (DEVANAGARI_NAME_RE,),
    "latin": (LATIN_NAME_RE,),
    "either": (DEVANAGARI_NAME_RE, LATIN_NAME_RE),  # one script or the other, not mixed
}


class NameField(PlainTextField):
    """A name in the letters of ``script`` (a key of ``NAME_SCRIPTS``), spaces folded."""

    def __init__(self, *args, script: str, **kwargs):
        self.script = script
        kwargs.setdefault("max_length", 120)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return " ".join((super().to_python(value) or "").split())

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        patterns = NAME_SCRIPTS[self.script]
        if not any(p.fullmatch(value) for p in patterns) or not any(ch.isalpha() for ch in value):
            if self.script == "devanagari":
                message = _("Write this name in Hindi (Devanagari) letters only, e.g. सीमा मीणा.")
            elif self.script == "latin":
                message = _("Write this name in English (Latin) letters only, e.g. Seema Meena.")
            else:
                message = _("Write your name in Hindi or in English letters, e.g. सीमा मीणा or Seema Meena.")
            raise forms.ValidationError(message, code="script")


class NumberText(forms.TextInput):
    """A text box with the phone's number keypad (type=number refuses Devanagari digits)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})


def mobile_field() -> forms.CharField:
    """A public form's mobile number box: the phone's telephone keypad; ``form_mobile`` checks what comes."""
    return forms.CharField(
        label=_("Mobile number"),
        max_length=25,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "placeholder": "98290 12345"}
        ),
        error_messages=_text_errors(required=_("Enter a mobile number.")),
    )


# ---------------------------------------------------------------- places


@dataclass
class PlaceStep:
    """One of district → assembly → booth. ``fixed`` is set when the campaign's own unit decides it."""

    code: str
    level: Level
    fixed: Unit | None = None

    @property
    def choosable(self) -> bool:
        return self.fixed is None


def place_steps(campaign: Campaign) -> list[PlaceStep]:
    """The steps of the place picker for this campaign: levels above or at the campaign's unit are
    fixed (a Jaipur campaign does not ask for the district); the ones below are chosen."""
    scope = campaign.scope_unit
    levels = {level.code: level for level in Level.objects.filter(code__in=PLACE_STEPS)}
    above = {}
    if any(level.order <= scope.level.order for level in levels.values()):
        ancestors = Unit.objects.filter(path__in=scope.ancestor_paths(include_self=True))
        above = {unit.level_id: unit for unit in ancestors}
    steps = []
    for code in PLACE_STEPS:
        level = levels.get(code)
        if level is None:
            continue
        if level.order <= scope.level.order:
            fixed = above.get(level.pk)
            if fixed is not None:
                steps.append(PlaceStep(code, level, fixed))
        else:
            steps.append(PlaceStep(code, level))
    return steps


@dataclass
class PublicCampaign:
    """What the public form needs of a campaign, read once and kept by the process for a few seconds."""

    campaign: Campaign
    steps: list[PlaceStep]
    positions: list[CampaignPosition]


KEPT_SIZES = {"campaigns": 256, "places": 200_000}  # a state's booths, assemblies and districts fit


def kept(name: str) -> TTLCache | None:
    """This process's short-lived copy of ``name`` (``core.kept``; None when ``RECRUITMENT_PUBLIC_CACHE_SECONDS``
    is 0). A changed closing time, post or place reaches the form within that many seconds (the service checks
    the window again on the copy it has)."""
    return core_kept(f"recruitment.{name}", size=KEPT_SIZES[name], seconds=settings.RECRUITMENT_PUBLIC_CACHE_SECONDS)


def public_campaign(slug: str) -> PublicCampaign | None:
    """The campaign behind a short link, its place steps and posts; None for an unknown link."""
    campaigns = kept("campaigns")
    bundle = campaigns.get(slug) if campaigns is not None else None
    if bundle is not None:
        return bundle
    campaign = Campaign.objects.select_related("scope_unit__level").filter(slug=slug).first()
    if campaign is None:
        return None
    bundle = PublicCampaign(campaign, place_steps(campaign), campaign_positions(campaign))
    if campaigns is not None:
        campaigns[slug] = bundle
    return bundle


def places_by_id(ids: list[int]) -> dict[int, Unit]:
    """The units chosen on the form, from this process's copy where it has them."""
    places = kept("places")
    found = {pk: places[pk] for pk in ids if pk in places} if places is not None else {}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        fetched = Unit.objects.filter(pk__in=missing).in_bulk()
        found.update(fetched)
        if places is not None:
            places.update(fetched)
    return found


def campaign_positions(campaign: Campaign) -> list[CampaignPosition]:
    return list(campaign.positions.select_related("position__level").order_by("pk"))


def place_matches(campaign: Campaign, *, level: Level, query: str, parent: Unit | None, limit: int = PLACE_MATCHES):
    """Units of ``level`` under ``parent`` (or the campaign's unit) by Hindi or English name or number;
    one more than ``limit`` so the page can say there are more. Index-backed: (level, path) range."""
    scope = campaign.scope_unit
    root = parent if parent is not None and parent.is_within(scope) else scope
    return units_by_name_or_number(Unit.objects.subtree(root).filter(level=level), query, limit=limit)


def form_token(token) -> str:
    """A public form's hidden token as posted, or the field's error: the form has expired."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        raise forms.ValidationError(_("This form has expired. Check your answers and send it again."))
    return token


def unit_id(raw) -> int | None:
    """A unit's id as a form posts it (digits, at most 12); None for anything else."""
    text = (raw or "").strip()
    if text.isascii() and text.isdecimal() and len(text) <= 12:
        return int(text)
    return None


# ---------------------------------------------------------------- social accounts


class SocialAccountForm(forms.Form):
    platform = forms.ChoiceField(
        label=_("Platform"),
        required=False,
        choices=[("", "—"), *SocialAccount.Platform.choices],
        error_messages={"invalid_choice": _("Choose a platform from the list.")},
    )
    handle = PlainTextField(
        label=_("Handle or link"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocapitalize": "off", "spellcheck": "false", "placeholder": "@…"}),
    )
    followers = forms.CharField(
        label=_("Followers"),
        required=False,
        max_length=20,
        widget=NumberText(attrs={"maxlength": 20}),
        error_messages=_text_errors(),
    )

    def clean_followers(self):
        raw = self.cleaned_data["followers"].replace(",", "").replace(" ", "")
        if not raw:
            return None
        if not raw.isdecimal():
            raise forms.ValidationError(_("Write the number of followers as a whole number, e.g. 1500."))
        count = int(ascii_digits(raw))
        if count > MAX_FOLLOWERS:
            raise forms.ValidationError(_("That is more followers than any account has."))
        return count

    def clean(self):
        data = super().clean()
        platform, handle = data.get("platform"), data.get("handle")
        if self.errors:
            return data
        if not platform and (handle or data.get("followers") is not None):
            self.add_error("platform", _("Choose the platform of this account."))
        elif platform and not handle:
            self.add_error("handle", _("Give the handle or the link of this account."))
        elif platform and not _handle_ok(platform, handle):
            self.add_error("handle", _("This does not look like a handle or a link of that platform."))
        return data


def _handle_ok(platform: str, handle: str) -> bool:
    if any(ch.isspace() for ch in handle) and platform != "other":
        return False
    lowered = handle.lower()
    looks_like_link = lowered.startswith(("http://", "https://", "www.")) or "/" in handle
    if looks_like_link:
        link = handle if lowered.startswith(("http://", "https://")) else "https://" + handle
        try:
            parts = urlsplit(link)
        except ValueError:
            return False
        host = (parts.hostname or "").removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
        if parts.scheme not in ("http", "https") or "." not in host:
            return False
        hosts = URL_HOSTS.get(platform)
        return hosts is None or any(host == h or host.endswith("." + h) for h in hosts)
    pattern = HANDLE_RES.get(platform)
    return pattern is None or bool(pattern.fullmatch(handle))


SocialFormSet = forms.formset_factory(
    SocialAccountForm, extra=SOCIAL_ROWS, max_num=SOCIAL_ROWS, absolute_max=SOCIAL_ROWS, validate_max=True
)


# ---------------------------------------------------------------- the application form


class ApplicationForm(forms.Form):
    """Everything ``application_submit`` needs; ``submission()`` hands it over."""

    token = forms.Field(widget=forms.HiddenInput(attrs={"autocomplete": "off"}), required=False)
    applied_for = forms.TypedChoiceField(
        label=_("The post you are applying for"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the post you are applying for."),
            "invalid_choice": _("Choose one of the posts listed here."),
        },
    )
    name_hi = NameField(
        label=_("Your name in Hindi"),
        script="devanagari",
        # Not "name": the phone would fill in the Latin name it knows.
        widget=forms.TextInput(attrs={"autocomplete": "off", "lang": "hi"}),
    )
    name_en = NameField(
        label=_("Your name in English"),
        script="latin",
        widget=forms.TextInput(attrs={"autocomplete": "name", "lang": "en", "autocapitalize": "words"}),
    )
    mobile = mobile_field()
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=_text_errors(invalid=_("Enter an email address like name@example.com, or leave it empty.")),
    )
    age = forms.IntegerField(
        label=_("Age (years)"),
        min_value=16,
        max_value=100,
        widget=NumberText(attrs={"maxlength": 3}),
        error_messages={
            "required": _("Enter your age."),
            "invalid": _("Enter your age in years as a number, e.g. 27."),
            "min_value": _("You can apply from the age of 16."),
            "max_value": _("Enter an age of at most 100."),
        },
    )
    gender = forms.ChoiceField(
        label=_("Gender (optional)"),
        required=False,
        choices=GENDER_CHOICES,
        error_messages={"invalid_choice": _("Choose one of the options.")},
    )
    occupation = PlainTextField(label=_("Occupation"), max_length=120)
    education = PlainTextField(label=_("Education"), max_length=120)
    languages = forms.MultipleChoiceField(
        label=_("Languages you can write in"),
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose languages from the list.")},
    )
    other_languages = PlainTextField(
        label=_("Other languages"), max_length=100, help_text=_("Separate them with commas.")
    )
    statement = PlainTextField(
        label=_("Why do you want to join?"),
        required=True,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("At most 2000 characters."),
    )
    writing_sample = PlainTextField(
        label=_("Write a social-media post for the organisation"),
        required=True,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A sample of your writing, at most 2000 characters."),
    )
    consent = forms.BooleanField(
        label=_("I have read the notice above and agree that my details are used as it says."),
        error_messages={"required": _("Tick this box to agree; without it we cannot take your application.")},
    )

    def __init__(
        self,
        data=None,
        *,
        campaign: Campaign,
        steps: list[PlaceStep],
        positions: list[CampaignPosition] | None = None,
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.campaign = campaign
        self.steps = steps
        self.home_unit: Unit | None = None
        self.chosen: dict[str, Unit] = {}
        if positions is None:
            positions = campaign_positions(campaign)
        self.positions = positions
        by_id = {str(cp.pk): cp for cp in positions}
        field = self.fields["applied_for"]
        field.choices = [(str(cp.pk), cp.position.title) for cp in positions]
        field.coerce = by_id.__getitem__
        for step in steps:
            if step.choosable:
                # The chosen unit's id; anything odd in it is reported on the visible box next to it.
                self.fields[step.code] = forms.Field(required=False, widget=forms.HiddenInput)
                self.fields[f"{step.code}_q"] = PlainTextField(label=step.level.name, max_length=100)
        self._social_data = data

    @cached_property
    def social(self):
        """The social-account rows, built when needed: most people leave them empty."""
        data = self._social_data
        if data is not None and "social-TOTAL_FORMS" not in data:
            # A client that leaves out the social rows' counts (e.g. a script) gets three rows.
            data = data.copy()
            data.update({"social-TOTAL_FORMS": str(SOCIAL_ROWS), "social-INITIAL_FORMS": "0"})
        return SocialFormSet(data, prefix="social")

    def _social_rows_empty(self) -> bool:
        """Nothing typed in any social row (the management fields aside): nothing to check or keep."""
        data = self._social_data
        return data is not None and not any(
            value.strip()
            for key in data
            if key.startswith("social-")
            and not key.startswith(("social-TOTAL", "social-INITIAL", "social-MIN", "social-MAX"))
            for value in data.getlist(key)
        )

    def is_valid(self) -> bool:
        form_ok = super().is_valid()
        counts = self._social_data.get("social-TOTAL_FORMS", str(SOCIAL_ROWS))
        if self._social_rows_empty() and counts.strip().isdecimal():
            return form_ok
        social_ok = self.social.is_valid()
        return form_ok and social_ok

    def clean_token(self):
        return form_token(self.cleaned_data["token"])

    def clean_mobile(self):
        return form_mobile(self.cleaned_data["mobile"])

    def clean_other_languages(self):
        text = self.cleaned_data["other_languages"]
        names = [" ".join(part.split()) for part in re.split(r"[,;।\n]", text)]
        names = [name for name in names if name]
        if len(names) > 5 or any(len(name) > 40 for name in names):
            raise forms.ValidationError(_("Name at most five languages, separated by commas."))
        return names

    def clean(self):
        data = super().clean()
        names_ok = not self.has_error("name_hi") and not self.has_error("name_en")
        if names_ok and not data.get("name_hi") and not data.get("name_en"):
            self.add_error("name_hi", _("Give a name in Hindi or in English."))
        self._clean_places()
        return data

    def _clean_places(self) -> None:
        """Each chosen place must be of its step's level, inside the campaign's unit and inside the
        place chosen before it. The last step (the booth) is needed only where the post needs it."""
        ids = {step.code: unit_id(self.cleaned_data.get(step.code)) for step in self.steps if step.choosable}
        found = places_by_id([pk for pk in ids.values() if pk])
        scope = self.campaign.scope_unit
        parent = home = scope
        for step in self.steps:
            if step.fixed is not None:
                self.chosen[step.code] = step.fixed
                continue
            unit = found.get(ids[step.code])
            ok = unit is not None and unit.level_id == step.level.pk and unit.is_within(scope)
            if not ok or not unit.is_within(parent):
                typed = self.cleaned_data.get(f"{step.code}_q")
                if step.code == PLACE_STEPS[-1] and ids[step.code] is None and not typed:
                    break
                message = _("Type your %(level)s and choose it from the list.") % {"level": step.level.name}
                self.add_error(f"{step.code}_q", message)
                return
            unit.level = step.level  # the same level, already loaded: no query for it later
            self.chosen[step.code] = unit
            parent = home = unit
        self.home_unit = home
        post = self.cleaned_data.get("applied_for")
        if post is not None and post.position.level.order > home.level.order:
            deeper = [s for s in self.steps if s.choosable and s.level.order > home.level.order]
            message = _("For the post of %(post)s, also choose your %(level)s.") % {
                "post": post.position.title,
                "level": deeper[0].level.name if deeper else "",
            }
            self.add_error(f"{deeper[0].code}_q" if deeper else None, message)

    def place_label(self, step: PlaceStep) -> str:
        """What the type-ahead box shows: the chosen place, else what was typed."""
        unit = self.chosen.get(step.code)
        if unit is not None:
            return unit.display_name
        return self[f"{step.code}_q"].value() or ""

    def submission(self) -> dict:
        """The cleaned data in the shape ``application_submit`` takes."""
        data = self.cleaned_data
        accounts, seen = [], set()
        rows = [] if "social" not in self.__dict__ or not self.social.is_bound else self.social.cleaned_data
        for row in rows:
            if not row or not row.get("platform"):
                continue
            key = (row["platform"], row["handle"].lower())
            if key in seen:
                continue
            seen.add(key)
            accounts.append({"platform": row["platform"], "handle": row["handle"], "followers": row["followers"]})
        return {
            "applied_for": data["applied_for"],
            "home_unit": self.home_unit,
            "mobile": data["mobile"],
            "name_hi": data["name_hi"],
            "name_en": data["name_en"],
            "email": data["email"],
            "age": data["age"],
            "gender": data["gender"],
            "occupation": data["occupation"],
            "education": data["education"],
            "languages": list(data["languages"]) + data["other_languages"],
            "social_accounts": accounts,
            "statement": data["statement"],
            "writing_sample": data["writing_sample"],
        }


# ---------------------------------------------------------------- status


class StatusForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}),
        error_messages=_text_errors(required=_("Enter your reference number.")),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=25,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages=_text_errors(required=_("Enter a mobile number.")),
    )

    def clean_reference(self):
        reference = "".join(self.cleaned_data["reference"].split()).upper()
        if not re.fullmatch(r"[A-Z0-9-]{4,24}", reference):
            raise forms.ValidationError(_("Enter the reference number as it was given to you, e.g. RJ-2026-7K4Q."))
        return reference

    def clean_mobile(self):
        return form_mobile(self.cleaned_data["mobile"])


class StatusCodeForm(forms.Form):
    """The code sent to the applicant's mobile (the second step of the status page)."""

    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*", "spellcheck": "false"}
        ),
        error_messages=_text_errors(required=_("Enter the 6-digit code we sent to your mobile.")),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        code = code.translate(str.maketrans("०१२३४५६७८९", "0123456789"))  # a Hindi keyboard's digits
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("Enter the 6-digit code we sent to your mobile."))
        return code
