"""The membership drive: members enrolled at their booth (or the unit they joined at), each proven by a
code sent to their mobile, and the counters that say how many there are at every unit.

Past drives were known for inflated counts (one person enrolling many phones, OTPs collected from
strangers). Here a sign-up is *pending* until the code sent to its mobile is typed back; only verified
members count anywhere (``MemberCounter``, ``ReferralCode.verified_count``). A mobile number and an
EPIC (voter ID) belong to at most one member that is not revoked; a "not me" link in the welcome SMS
lets the holder of the number take a membership back.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import ScopedManager, ScopeRule
from sangathan.core.models import bilingual
from sangathan.core.validators import validate_plain_text
from sangathan.org.models import Person, Unit

# An EPIC (electoral photo identity card) number: three letters and seven digits, e.g. RJX1234567.
EPIC_PATTERN = r"[A-Z]{3}[0-9]{7}"
NAME_MAX = 120
REASON_MAX = 300
# The alphabet of referral codes: no 0/O, 1/I/L, so a code read aloud or copied by hand is not mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 7  # 31**7 ≈ 27 billion: guessing a live one is hopeless, and it still fits a poster


class Notice(models.Model):
    """One version of the membership privacy notice, as the person read it on the join page (Hindi and
    English). A member's row points to the version they agreed to (``Member.notice``, ``consent_at``), as
    an application keeps its campaign's notice version."""

    version = models.PositiveSmallIntegerField(_("version"), unique=True)
    text_hi = models.TextField(_("text (Hindi)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version"]
        verbose_name = _("membership notice")
        verbose_name_plural = _("membership notices")
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="membership_notice_version_positive")]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def text(self) -> str:
        return bilingual(self.text_hi, self.text_en)


class ReferralCode(models.Model):
    """A short code in a join link (/join/<code>/): a unit's own link, or the link of an office-bearer
    (a person) or of a member who invites others. ``unit`` is where people who join with it are placed
    unless they pick a booth below it, and where the code is seen. The counts are kept by the services
    in the same transaction as the member's change (verified members only, pending sign-ups apart)."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("unit's join link")
        PERSON = "person", _("office-bearer")
        MEMBER = "member", _("member")

    code = models.CharField(_("code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    member = models.OneToOneField(
        "membership.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_code",
        verbose_name=_("member"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A fraud signal on this link: its counts stop moving until a reviewer clears it (then they are
    # counted again from its members), so a flagged referrer climbs no leaderboard meanwhile.
    frozen = models.BooleanField(_("frozen for review"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    verified_count = models.PositiveIntegerField(_("verified members"), default=0, editable=False)
    pending_count = models.PositiveIntegerField(_("pending sign-ups"), default=0, editable=False)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="unit") & Q(person__isnull=True) & Q(member__isnull=True))
                | (Q(kind="person") & Q(person__isnull=False) & Q(member__isnull=True))
                | (Q(kind="member") & Q(person__isnull=True) & Q(member__isnull=False)),
                name="referral_code_owner_matches_kind",
            ),
            models.UniqueConstraint(fields=["unit"], condition=Q(kind="unit"), name="referral_code_one_per_unit"),
            models.UniqueConstraint(
                fields=["person"], condition=Q(person__isnull=False), name="referral_code_one_per_person"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Member(models.Model):
    """One member of the organisation, at the booth (or unit) they joined at.

    pending → verified (the code sent to the mobile was typed back) → active; lapsed after the term;
    revoked ("not me" from the holder of the number, or an admin with a reason). Only verified and active
    members count."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending (code not yet confirmed)")
        VERIFIED = "verified", _("verified")
        ACTIVE = "active", _("active")
        LAPSED = "lapsed", _("lapsed")
        REVOKED = "revoked", _("revoked")
        HELD = "held", _("held for review (a fraud signal)")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")

    class RevokedVia(models.TextChoices):
        NOT_ME = "not_me", _("'not me' from the holder of the number")
        ADMIN = "admin", _("an admin")
        DUPLICATE = "duplicate", _("merged into another member (a duplicate)")
        WITHDRAWN = "withdrawn", _("the member withdrew their consent (personal data erased)")

    class Source(models.TextChoices):
        JOIN_PAGE = "join_page", _("join page")
        PAPER = "paper", _("paper form, entered by an office-bearer")
        SHEET = "sheet", _("sheet of paper forms, imported")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="members", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=NAME_MAX, validators=[validate_plain_text])
    # The father's, mother's or husband's name as a paper form gives it (optional): two forms with one name
    # at one booth are the same person only if this does not tell them apart (``membership.duplicates``).
    relative_name = models.CharField(
        _("relative's name"), max_length=NAME_MAX, blank=True, validators=[validate_plain_text]
    )
    # ``name`` folded for comparison (``duplicates.name_key``): case, spaces, dots, nukta.
    name_key = models.CharField(max_length=NAME_MAX, blank=True, editable=False)
    mobile = models.CharField(_("mobile number"), max_length=16, help_text=_("Stored as +91XXXXXXXXXX."))
    epic = models.CharField(_("voter ID (EPIC)"), max_length=10, blank=True)
    age = models.PositiveSmallIntegerField(_("age when joining"))
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    referred_by = models.ForeignKey(
        ReferralCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by"),
    )
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="+", verbose_name=_("privacy notice"))
    consent_at = models.DateTimeField(_("consent given"))
    language = models.CharField(_("language"), max_length=2, default="hi")
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_via = models.CharField(_("revoked by"), max_length=10, choices=RevokedVia.choices, blank=True)
    revoke_reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    # The public form's last token and the code sent for it: a double click or a retried POST of the same
    # form finds them here (under the row lock) and sends no second code.
    join_token = models.CharField(max_length=64, blank=True, editable=False)
    join_challenge_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # A paper form (typed in, or a row of an imported sheet) was not filled in front of us: its member is
    # pending until the holder of the number confirms a code, or until MEMBERSHIP_DISPUTE_DAYS pass after
    # the SMS with the "not me" link (the daily run promotes them).
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.JOIN_PAGE)
    # Where the join form came from (the client's address), for the "many numbers from one address" signal.
    join_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    # A fraud signal fired on this sign-up (``FraudSignal``): its confirmed code makes it "held", not
    # verified, until a reviewer clears or revokes it.
    flagged = models.BooleanField(_("flagged"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-joined_at", "-id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            # One member per mobile that is not revoked (a revoked row, someone else's number or a fake, blocks
            # nobody; a pending row is the number's own sign-up, taken over by its next form). One proven member
            # per EPIC: a pending sign-up cannot squat somebody's voter ID.
            models.UniqueConstraint(fields=["mobile"], condition=~Q(status="revoked"), name="member_one_per_mobile"),
            models.UniqueConstraint(
                fields=["epic"],
                condition=~Q(epic="") & Q(status__in=["verified", "active", "lapsed"]),
                name="member_one_per_epic",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "verified", "active", "lapsed", "revoked", "held"]),
                name="member_status",
            ),
            models.CheckConstraint(condition=Q(age__gte=1) & Q(age__lte=120), name="member_age_range"),
            models.CheckConstraint(
                condition=Q(epic="") | Q(epic__regex=f"^{EPIC_PATTERN}$"), name="member_epic_format"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(status="revoked") | Q(verified_at__isnull=False),
                name="member_verified_has_date",
            ),
            models.CheckConstraint(
                condition=(Q(status="revoked") & Q(revoked_at__isnull=False) & ~Q(revoked_via=""))
                | (~Q(status="revoked") & Q(revoked_at__isnull=True)),
                name="member_revoked_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="member_unit_status"),
            models.Index(fields=["referred_by", "status"], name="member_referrer_status"),
            # The daily run's promotion of paper forms: only pending paper rows, oldest first.
            models.Index(
                fields=["joined_at"],
                condition=Q(status="pending") & ~Q(source="join_page"),
                name="member_paper_pending",
            ),
            # "entered today" on the entry page: one office-bearer's rows of one day.
            models.Index(fields=["entered_by", "joined_at"], name="member_entered_by_day"),
            # The fraud signals look back an hour or a day: by referral code, by address, by unit.
            models.Index(fields=["referred_by", "joined_at"], name="member_referrer_joined"),
            models.Index(fields=["join_address", "joined_at"], name="member_address_joined"),
            models.Index(fields=["unit", "joined_at"], name="member_unit_joined"),
            # Likely duplicates: the same folded name at the same booth.
            models.Index(fields=["unit", "name_key"], name="member_unit_name_key"),
        ]

    def __str__(self) -> str:
        return f"{self.initials} ({self.get_status_display()})"

    @property
    def home_unit(self) -> Unit:
        """The unit whose ``view_personal`` decides who sees this member's details (access.personal)."""
        return self.unit

    @property
    def counts(self) -> bool:
        """Only verified (and active) members count anywhere."""
        return self.status in COUNTED

    @property
    def initials(self) -> str:
        """What the public card check shows of the name: the first letter of each word."""
        return " ".join(f"{word[0]}." for word in self.name.split() if word)


COUNTED = (Member.Status.VERIFIED, Member.Status.ACTIVE)
YOUTH_AGES = (18, 35)  # youth, as the party's youth wings count it: 18 to 35 years, both included


class MemberCounter(models.Model):
    """For one unit: its members and the members of every unit below it, verified and pending.

    Kept by the services in the writer's transaction (``membership.counters``), like the coverage
    counters, so no page counts a subtree on load: a state's or the country's number is one row."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="member_counter")
    verified = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    # Of the verified: aged 18–35 when joining (``YOUTH_AGES``), and women. Moved with ``verified`` by the
    # same writes, so the shares on the page are two divisions of one row.
    youth = models.PositiveIntegerField(default=0, db_default=0)
    women = models.PositiveIntegerField(default=0, db_default=0)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("member counter")
        verbose_name_plural = _("member counters")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.verified}/{self.pending}"


class MemberDay(models.Model):
    """For one unit's subtree and one day (Asia/Kolkata): members who started counting that day (``gained``:
    verified, a held sign-up cleared, paper forms promoted) and who stopped (``lost``: revoked, lapsed).
    Kept by the same writes as ``MemberCounter`` (one more row per ancestor), so the growth chart of the
    country is 30–90 rows of one unit, not a GROUP BY over ten million members' dates."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    gained = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("members of a day")
        verbose_name_plural = _("members by day")
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="member_day_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: +{self.gained} -{self.lost}"


class MemberImport(models.Model):
    """A sheet of paper membership forms uploaded for a unit, a job for the worker. The web request only
    keeps the bytes; the worker reads the sheet (``membership.sheets``) and enters each good row as a
    paper member; the report lists the rows it refused by their row numbers. The bytes are dropped once
    the sheet is imported."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for the worker")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("could not be read")

    root = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="member_imports", verbose_name=_("unit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    content = models.BinaryField(editable=False)
    original_name = models.CharField(_("file"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    language = models.CharField(max_length=10, blank=True)  # the uploader's, for the worker's messages
    report = models.JSONField(default=dict, blank=True)  # rows, problems by row, counts
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_rule = ScopeRule("root__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("membership sheet import")
        verbose_name_plural = _("membership sheet imports")

    def __str__(self) -> str:
        return f"{self.original_name} → {self.root_id}"


class FraudSignal(models.Model):
    """One reason to doubt a sign-up or a referral link, kept with the numbers that explain it on screen
    (``membership.fraud.explain``). A signal on a member holds it for review; one on a link (a high "not
    me" rate, or a burst through it) freezes the link's counts until reviewed."""

    class Kind(models.TextChoices):
        REFERRAL_BURST = "referral_burst", _("many sign-ups through one link in an hour")
        NIGHT_BURST = "night_burst", _("a burst of sign-ups at night")
        SHARED_ADDRESS = "shared_address", _("many numbers from one address")
        CONSECUTIVE = "consecutive", _("a run of consecutive mobile numbers")
        NOT_ME_RATE = "not_me_rate", _("a high rate of 'not me'")

    kind = models.CharField(_("signal"), max_length=16, choices=Kind.choices)
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="signals", verbose_name=_("member")
    )
    referral = models.ForeignKey(
        ReferralCode, on_delete=models.CASCADE, null=True, blank=True, related_name="signals", verbose_name=_("link")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    detail = models.JSONField(default=dict)  # the numbers the explanation shows
    created_at = models.DateTimeField(default=timezone.now)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("fraud signal")
        verbose_name_plural = _("fraud signals")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(referral__isnull=False), name="fraud_signal_has_subject"
            ),
            models.UniqueConstraint(fields=["member", "kind"], name="fraud_signal_once_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.member_id or self.referral_id})"


class DuplicateCase(models.Model):
    """Two members who are likely one person: the same folded name at the same booth, and the relative's
    name (where both give one) the same. Found when the later one is written, or by the scan of existing
    members (``membership.scan``: also one voter ID on two rows, or one name, relative's name and age at
    two booths); a reviewer merges them (the other is revoked as a duplicate, what it knew that the kept
    one lacks is copied over) or keeps both. A pair is queued once, in either order: a pair kept apart
    is never raised again."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a decision")
        MERGED = "merged", _("merged")
        KEPT = "kept", _("both kept")

    class Rule(models.TextChoices):
        NAME_BOOTH = "name_booth", _("the same name at the same booth (and the same relative's name, if both give one)")
        EPIC = "epic", _("the same voter ID (EPIC)")
        NAME_RELATIVE_AGE = "name_rel_age", _("the same name, relative's name and age at two booths")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    other = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("earlier member with the same name")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    rule = models.CharField(
        _("why"), max_length=12, choices=Rule.choices, default=Rule.NAME_BOOTH, db_default=Rule.NAME_BOOTH
    )
    kept = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("kept")
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        constraints = [
            models.UniqueConstraint(fields=["member", "other"], name="duplicate_case_once"),
            # The same pair the other way round (the scan and the writer's check may meet it from either end).
            models.UniqueConstraint(
                Least("member", "other"), Greatest("member", "other"), name="duplicate_case_pair_once"
            ),
            models.CheckConstraint(condition=~Q(member=models.F("other")), name="duplicate_case_two_members"),
            models.CheckConstraint(condition=Q(status__in=["open", "merged", "kept"]), name="duplicate_case_status"),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="duplicate_case_unit_status")]

    def __str__(self) -> str:
        return f"{self.member_id} ~ {self.other_id} ({self.status})"


class MissedCall(models.Model):
    """One missed call the SMS gateway reported (``membership.missed_call``): its id is stored once, so a
    replayed or re-delivered report does nothing a second time. The caller's number is kept only as a keyed
    digest (for the per-number flood cap), never in clear."""

    class Outcome(models.TextChoices):
        VERIFIED = "verified", _("a pending sign-up was verified")
        NO_PENDING = "no_pending", _("no pending sign-up with this number")
        NO_CODE = "no_code", _("no open code for this number")
        AMBIGUOUS = "ambiguous", _("several forms sent with this number: the code must be typed")
        REFUSED = "refused", _("the sign-up could not be verified")
        FLOOD = "flood", _("too many calls from this number")

    call_id = models.CharField(max_length=64, unique=True)
    caller_digest = models.CharField(max_length=64)
    called_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    scope_rule = ScopeRule("member__unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("missed call")
        verbose_name_plural = _("missed calls")
        indexes = [models.Index(fields=["caller_digest", "received_at"], name="missed_call_caller_recent")]

    def __str__(self) -> str:
        return f"{self.call_id} ({self.outcome})"
