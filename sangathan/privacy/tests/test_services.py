"""Consent records, data requests, erasure and retention (the services, without pages)."""

import datetime

import pytest
from django.utils import timezone, translation

from sangathan.core.daily import run_daily
from sangathan.notifications.models import OutboxMessage
from sangathan.org import services as org_services
from sangathan.org.models import Appointment, Person, SocialAccount
from sangathan.org.tests.factories import position
from sangathan.privacy import selectors, services
from sangathan.privacy.errors import PrivacyError
from sangathan.privacy.models import ConsentRecord, DataRequest, Erasure, Notice
from sangathan.recruitment import services as recruitment_services
from sangathan.recruitment.models import Application, ApplicationEvent, Submission
from sangathan.testing import sent_code
from sangathan.training.models import Attendance, Camp, Programme, WalkInRequest

pytestmark = pytest.mark.django_db


def test_a_campaign_notice_is_kept_per_version(campaign):
    notice = Notice.objects.get(campaign=campaign)  # recorded by campaign_create
    assert (notice.version, notice.text_hi, notice.text_en) == (1, campaign.notice_hi, campaign.notice_en)
    recruitment_services.campaign_update(campaign=campaign, changes={"notice_hi": "नई सूचना", "notice_version": 2})
    assert list(Notice.objects.filter(campaign=campaign).values_list("version", "text_hi")) == [
        (1, notice.text_hi),
        (2, "नई सूचना"),
    ]


def test_consent_is_recorded_for_each_notice_version_agreed_to(campaign, jaipur_app):
    assert services.consents_sync() == 1
    assert services.consents_sync() == 0  # once
    record = ConsentRecord.objects.get(application=jaipur_app)
    assert record.notice.version == 1 and record.given_at == jaipur_app.consent_at and record.withdrawn_at is None
    assert record.notice.text_hi == campaign.notice_hi
    # A new notice, and the applicant sends the form again: a second record, the first one kept.
    campaign.notice_version = 2
    campaign.notice_hi = "संशोधित सूचना"
    campaign.save()
    recruitment_services.application_submit(
        campaign=campaign,
        token="again",
        data={**_data(campaign, jaipur_app), "mobile": jaipur_app.mobile},
    )
    # The later form counts (and its consent with it) once the number's owner confirms it with a code.
    held = Submission.objects.get(held_at__isnull=False)
    challenge = recruitment_services.application_status_code_send(reference=held.reference, mobile=jaipur_app.mobile)
    recruitment_services.application_status_confirm(
        reference=held.reference, mobile=jaipur_app.mobile, challenge_id=challenge.pk, code=sent_code(jaipur_app.mobile)
    )
    services.consents_sync()
    versions = list(ConsentRecord.objects.filter(application=jaipur_app).values_list("notice__version", flat=True))
    assert versions == [1, 2]


def _data(campaign, application):
    from sangathan.recruitment.tests.conftest import form_data

    class Tree:
        booth1 = application.home_unit

    return form_data(campaign, Tree)


def test_the_daily_job_records_consents_and_reports(jaipur_app, ajmer_app):
    ConsentRecord.objects.all().delete()
    outcome = {o.name: o for o in run_daily(only=["privacy-retention"])}["privacy-retention"]
    assert outcome.error == ""
    assert outcome.result == {"consents_recorded": 2, "rejected_anonymised": 0, "walk_in_requests_anonymised": 0}


def test_withdrawing_consent_marks_the_record(jaipur_app):
    services.consents_sync()
    assert services.consent_withdraw(applications=Application.objects.filter(pk=jaipur_app.pk)) == 1
    assert services.consent_withdraw(applications=Application.objects.filter(pk=jaipur_app.pk)) == 0
    assert ConsentRecord.objects.get(application=jaipur_app).withdrawn_at is not None


def test_the_copy_holds_the_subjects_data_and_nobody_elses(jaipur_app, ajmer_app):
    services.consents_sync()
    data = selectors.subject_data(services.subject_of(application=jaipur_app))
    text = repr(data)
    assert "Seema Meena" in text and jaipur_app.mobile in text and jaipur_app.reference in text
    assert "Arjun Rawat" not in text and ajmer_app.mobile not in text and ajmer_app.reference not in text
    assert data["consents"][0]["notice_version"] == 1
    assert data["messages"] and all(m["to"] == jaipur_app.mobile for m in data["messages"])
    assert "state_admin" not in text  # no staff account


def test_a_correction_needs_words_and_waits_for_an_admin(jaipur_app, cast):
    with pytest.raises(PrivacyError):
        services.request_create(kind="correction", application=jaipur_app, details="  \u200b ", via="status_page")
    with pytest.raises(PrivacyError):
        services.request_create(kind="correction", application=jaipur_app, details="x" * 1001, via="status_page")
    assert not DataRequest.objects.exists()
    request = services.request_create(
        kind="correction", application=jaipur_app, details="मेरा नाम सीमा मीना है", via="status_page"
    )
    assert (request.status, request.unit, request.resolved_at) == ("open", jaipur_app.home_unit, None)
    with pytest.raises(PrivacyError):  # refusing needs a reason
        services.request_resolve(request=request, done=False, by=cast.district_admin)
    services.request_resolve(request=request, done=True, note="नाम ठीक किया", by=cast.district_admin)
    request.refresh_from_db()
    assert (request.status, request.resolved_by, request.resolution) == ("done", cast.district_admin, "नाम ठीक किया")
    with pytest.raises(PrivacyError):
        services.request_resolve(request=request, done=True, by=cast.district_admin)


def _fingerprint():
    """Every count the dashboards and reports show."""
    return (
        sorted(Application.objects.values_list("campaign_id", "status", "home_unit_id", "applied_for_id", "age")),
        Submission.objects.count(),
        ApplicationEvent.objects.count(),
        OutboxMessage.objects.count(),
        sorted(Appointment.objects.values_list("unit_id", "position_id", "status")),
        Attendance.objects.count(),
        Person.objects.count(),
    )


def _camp(tree, person):
    now = timezone.now()
    programme = Programme.objects.create(code="basics", name_hi="मूल प्रशिक्षण")
    camp = Camp.objects.create(
        programme=programme,
        host_unit=tree.jaipur,
        venue="Jaipur",
        starts_at=now - datetime.timedelta(days=2),
        ends_at=now - datetime.timedelta(days=2) + datetime.timedelta(hours=3),
    )
    return Attendance.objects.create(camp=camp, person=person, method="roll_call")


def test_erasure_anonymises_everywhere_and_keeps_counts(tree, cast, jaipur_app, ajmer_app):
    person = org_services.appointment_create_for_mobile(
        unit=tree.booth1,
        position=position("booth", "representative"),
        mobile=jaipur_app.mobile,
        name_hi="सीमा मीणा",
        name_en="Seema Meena",
        by=cast.state_admin,
    ).person
    Person.objects.filter(pk=person.pk).update(email="seema@example.com")
    SocialAccount.objects.create(person=person, platform="x", handle="@seema")
    _camp(tree, person)
    before = _fingerprint()

    # Holding a post: consent is withdrawn at once, erasure waits for the post to be relieved.
    request = services.request_create(kind="erasure", application=jaipur_app, via="status_page")
    assert request.status == "open"
    assert ConsentRecord.objects.get(application=jaipur_app).withdrawn_at is not None
    with pytest.raises(PrivacyError):
        services.request_resolve(request=request, done=True, by=cast.district_admin)
    org_services.appointment_relieve(
        appointment=person.appointments.get(), reason="Asked to leave", by=cast.district_admin
    )
    before = _fingerprint()
    from sangathan.audit.models import AuditEntry

    # Rows that point to the person name them in their entries too (the camp's attendance: "सीमा मीणा @ …").
    others = AuditEntry.objects.exclude(content_type__model__in=["person", "application", "socialaccount"])
    assert any("सीमा" in e.object_repr or "Seema" in e.object_repr for e in others)
    trail_before = {
        "count": AuditEntry.objects.count(),
        "ids": list(AuditEntry.objects.values_list("pk", flat=True)),
        "who": {(e.pk, e.actor_id, e.timestamp, e.action, e.object_pk) for e in AuditEntry.objects.all()},
    }
    services.request_resolve(request=request, done=True, by=cast.district_admin)

    assert _fingerprint() == before
    application = Application.objects.get(pk=jaipur_app.pk)
    assert application.mobile == f"erased-{application.pk}"
    assert (application.name_hi, application.name_en, application.email, application.statement) == (
        services.ERASED_NAME_HI,
        services.ERASED_NAME_EN,
        "",
        "",
    )
    assert application.writing_sample == "" and application.social_accounts == [] and application.occupation == ""
    person.refresh_from_db()
    assert person.mobile == f"erased-p{person.pk}" and person.name_en == "Erased" and person.email == ""
    assert list(SocialAccount.objects.filter(person=person).values_list("handle", flat=True)) == [
        f"erased-{SocialAccount.objects.get(person=person).pk}"
    ]
    # The audit trail says who erased whom, and holds none of the erased values.
    trail = repr(list(AuditEntry.objects.values()))
    assert "personal_data_erased" in trail
    entries = AuditEntry.objects.filter(additional_data__bulk="personal_data_erased")
    assert {(e.content_type.model, int(e.object_pk)) for e in entries} == {
        ("application", application.pk),
        ("person", person.pk),
    }
    assert all(e.actor == cast.district_admin for e in entries)
    assert "Seema" not in repr([(e.object_repr, e.changes, e.additional_data) for e in entries])
    # The entries written before the erasure (the person made, their post, their social account, the
    # application) stay, with who, when and which fields, but no longer name them anywhere.
    assert AuditEntry.objects.count() >= trail_before["count"]
    for entry in AuditEntry.objects.all():
        text = repr((entry.object_repr, entry.changes, entry.changes_text, entry.serialized_data))
        for word in ("Seema", "सीमा", "@seema", "seema@example.com", jaipur_app.mobile[-10:]):
            assert word not in text, (entry.content_type.model, entry.object_repr, entry.changes)
    kept = AuditEntry.objects.filter(pk__in=trail_before["ids"])
    assert {(e.pk, e.actor_id, e.timestamp, e.action, e.object_pk) for e in kept} == trail_before["who"]
    person_made = kept.filter(content_type__model="person", object_pk=str(person.pk), action=0).first()
    assert person_made is not None and person_made.changes["name_en"] == ["None", "[erased]"]
    submission = Submission.objects.get(application=application)
    assert submission.mobile.startswith("erased-") and set(submission.payload) <= {"applied_for", "home_unit"}
    assert not OutboxMessage.objects.filter(recipient=jaipur_app.mobile).exists()
    assert not OutboxMessage.objects.filter(body__contains="Seema").exists()
    assert Attendance.objects.filter(person=person).count() == 1
    assert Erasure.objects.filter(application=application).exists() and Erasure.objects.filter(person=person).exists()
    # Nothing of anybody else changed.
    ajmer = Application.objects.get(pk=ajmer_app.pk)
    assert (ajmer.name_en, ajmer.mobile) == ("Arjun Rawat", ajmer_app.mobile)
    # The erased cannot be looked up on the status page any more, nor erased twice.
    assert (
        recruitment_services.application_status_code_send(reference=jaipur_app.reference, mobile=jaipur_app.mobile)
        is None
    )
    with pytest.raises(PrivacyError):
        services.request_create(kind="erasure", application=application, via="staff")


def test_erasure_also_cleans_entries_of_rows_deleted_before(tree, cast, jaipur_app):
    """An attendance ticked and un-ticked before the erasure: its entries ("सीमा मीणा @ camp", created and
    deleted) are cleaned too; a place that only contains the name as part of a word keeps it."""
    from sangathan.audit.models import AuditEntry

    with translation.override("hi"):  # the entries name the person as the active language shows them
        person = org_services.appointment_create_for_mobile(
            unit=tree.booth1,
            position=position("booth", "representative"),
            mobile=jaipur_app.mobile,
            name_hi="सीमा मीणा",
            name_en="Seema Meena",
            by=cast.state_admin,
        ).person
        _camp(tree, person).delete()
        org_services.appointment_relieve(
            appointment=person.appointments.get(), reason="Moved away", by=cast.state_admin
        )
        attendance = AuditEntry.objects.filter(content_type__model="attendance")
        assert attendance.count() == 2 and all("सीमा" in e.object_repr for e in attendance)
        services.request_create(kind="erasure", application=jaipur_app, via="status_page")
        for entry in AuditEntry.objects.all():
            text = repr((entry.object_repr, entry.changes, entry.changes_text, entry.serialized_data))
            assert "सीमा" not in text and "Seema" not in text, (entry.content_type.model, text)
        assert AuditEntry.objects.filter(content_type__model="attendance").count() == 2


def test_redaction_takes_whole_words_only():
    from sangathan.audit.services import _replace_words

    assert _replace_words("Ram @ Rampur camp, ram", ["Ram"]) == "[erased] @ Rampur camp, [erased]"
    assert _replace_words("राम @ रामपुर", ["राम"]) == "[erased] @ रामपुर"


def test_erasure_without_a_post_happens_at_once(jaipur_app):
    request = services.request_create(kind="erasure", application=jaipur_app, via="status_page")
    assert request.status == "done" and request.resolved_at is not None
    assert Application.objects.get(pk=jaipur_app.pk).name_en == "Erased"


def _reject(application, days_ago):
    recruitment_services.application_screen(application=application, shortlist=False, reason="Seema is too young")
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now() - datetime.timedelta(days=days_ago))


def test_retention_anonymises_rejected_applications_after_the_period(jaipur_app, ajmer_app, submit, tree):
    third, _ = submit(mobile="98290 33333", name_en="Kamla Devi", name_hi="कमला देवी")
    _reject(jaipur_app, 181)
    _reject(ajmer_app, 179)
    before = _fingerprint()
    outcome = {o.name: o for o in run_daily(only=["privacy-retention"])}["privacy-retention"]
    assert outcome.result["rejected_anonymised"] == 1
    assert _fingerprint() == before
    assert Application.objects.get(pk=jaipur_app.pk).name_en == "Erased"
    assert not ApplicationEvent.objects.filter(application=jaipur_app, note__contains="Seema").exists()
    assert Application.objects.get(pk=ajmer_app.pk).name_en == "Arjun Rawat"  # not yet
    assert Application.objects.get(pk=third.pk).name_en == "Kamla Devi"  # not rejected
    # Again: nothing more to do.
    assert services.retention_run()["rejected_anonymised"] == 0


def test_the_retention_period_is_a_setting(settings, ajmer_app):
    settings.PRIVACY_REJECTED_RETENTION_DAYS = 30
    _reject(ajmer_app, 31)
    assert services.retention_run()["rejected_anonymised"] == 1


def test_demo_makes_requests_once(jaipur_app, ajmer_app):
    from sangathan.privacy.demo import demo_privacy

    assert demo_privacy() == 2
    assert demo_privacy() == 0
    assert DataRequest.objects.filter(status="open").count() == 1


def test_the_migration_records_existing_notices_and_consents(campaign, jaipur_app, ajmer_app):
    from importlib import import_module

    from django.apps import apps

    ConsentRecord.objects.all().delete()
    Notice.objects.all().delete()
    migration = import_module("sangathan.privacy.migrations.0002_existing_notices_and_consents")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # again: nothing doubled
    notice = Notice.objects.get()
    assert (notice.campaign, notice.version, notice.text_hi) == (campaign, 1, campaign.notice_hi)
    assert set(ConsentRecord.objects.values_list("application_id", flat=True)) == {jaipur_app.pk, ajmer_app.pk}


def test_training_walk_in_requests_are_in_the_staff_copy_erased_with_the_person_and_forgotten_after_30_days(
    tree, jaipur_app
):
    programme = Programme.objects.create(code="walkins", name_hi="प्रशिक्षण")
    now = timezone.now()
    camp = Camp.objects.create(
        programme=programme, host_unit=tree.amer, venue="आमेर", starts_at=now, ends_at=now + datetime.timedelta(hours=2)
    )
    mine = WalkInRequest.objects.create(camp=camp, mobile=jaipur_app.mobile, name="Seema at the gate")
    other = WalkInRequest.objects.create(camp=camp, mobile="+919829099999", name="Somebody else")
    staff_copy = selectors.subject_data(services.subject_of(application=jaipur_app))
    assert [r["name_given"] for r in staff_copy["training_walk_in_requests"]] == ["Seema at the gate"]
    applicant_copy = selectors.subject_data(
        services.subject_of(application=jaipur_app, as_applicant=True), applicant_copy=True
    )
    assert "training_walk_in_requests" not in applicant_copy
    services.request_create(kind="erasure", application=jaipur_app, via="status_page")
    mine.refresh_from_db()
    assert mine.name == "Erased" and mine.mobile.startswith("erased-")
    assert WalkInRequest.objects.get(pk=other.pk).name == "Somebody else"
    # The daily job forgets who asked 30 days after the camp.
    Camp.objects.filter(pk=camp.pk).update(
        starts_at=now - datetime.timedelta(days=40), ends_at=now - datetime.timedelta(days=40, hours=-2)
    )
    assert services.retention_run()["walk_in_requests_anonymised"] == 1
    assert WalkInRequest.objects.get(pk=other.pk).mobile.startswith("erased-")
