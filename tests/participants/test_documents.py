"""Personal documents: upload through `document_add`, download through the checked view."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants import services
from participants.models import PersonalDocument
from portal.audit.services import entries_for
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def participant():
    return factories.ParticipantFactory(full_name="Ni Luh Sari", female=True)


def upload(participant, actor, *, kind="ktp", content=PDF, name="ktp.pdf"):
    return services.document_add(
        participant=participant,
        kind=kind,
        actor=actor,
        file=SimpleUploadedFile(name, content),
        issued_on=dt.date(2024, 1, 2),
    )


def test_a_pdf_is_accepted_and_stored_under_a_random_name(participant, ministry_admin):
    document = upload(participant, ministry_admin)
    assert document.content_type == "application/pdf"
    assert document.original_name == "ktp.pdf"
    assert document.size == len(PDF)
    assert "ktp" not in document.file.name
    assert document.uploaded_by == ministry_admin


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe"), (b"\x13\x37random bytes", "scan.pdf")],
)
def test_an_executable_or_random_bytes_are_refused(participant, ministry_admin, content, name):
    with pytest.raises(services.RegistryError):
        upload(participant, ministry_admin, content=content, name=name)
    assert not PersonalDocument.objects.exists()


def test_a_file_over_5_mb_is_refused(participant, ministry_admin):
    big = PDF + b"0" * (5 * 1024 * 1024)
    with pytest.raises(services.RegistryError):
        upload(participant, ministry_admin, content=big)
    assert not PersonalDocument.objects.exists()


def download(client, user, document):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("participants:document_download", args=[document.pk]))


def test_the_ministry_admin_downloads_an_attachment_and_the_download_is_audited(
    client, participant, ministry_admin
):
    document = upload(participant, ministry_admin)
    response = download(client, ministry_admin, document)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="ktp.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    entry = entries_for(participant).get(action=LogEntry.Action.ACCESS)
    assert entry.additional_data["event"] == "download"
    assert entry.actor == ministry_admin


@pytest.mark.parametrize("persona", ["partner_user", "analyst_user", "participant_account"])
def test_others_get_404(client, request, participant, ministry_admin, organisation_a, persona):
    factories.share_with(participant, organisation_a)  # even a partner who sees the person
    document = upload(participant, ministry_admin)
    response = download(client, request.getfixturevalue(persona), document)
    assert response.status_code == 404
    assert not entries_for(participant).filter(action=LogEntry.Action.ACCESS).exists()


def test_the_person_themself_downloads_their_document(client, participant, ministry_admin):
    account = factories.UserFactory(username="sari", role="participant")
    participant.user = account
    participant.save()
    document = upload(participant, ministry_admin)
    assert download(client, account, document).status_code == 200


def test_an_officer_of_another_province_gets_404(client, participant, ministry_admin):
    officer = factories.UserFactory(username="officer_jatim", role="ministry_officer")
    officer.provinces.add("35")
    document = upload(participant, ministry_admin)
    assert download(client, officer, document).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, participant, ministry_admin):
    document = upload(participant, ministry_admin)
    response = download(client, None, document)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_post_is_refused(client, participant, ministry_admin):
    document = upload(participant, ministry_admin)
    client.force_login(ministry_admin)
    url = reverse("participants:document_download", args=[document.pk])
    assert client.post(url).status_code == 405


def test_an_unknown_document_is_404(client, ministry_admin):
    client.force_login(ministry_admin)
    url = reverse("participants:document_download", args=[999999])
    assert client.get(url).status_code == 404


@pytest.fixture
def staff_without_restricted(db):
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name="ministry_officer").permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="participants", codename="view_restricted"
        )
    )
    return factories.UserFactory(username="officer_plain", role="ministry_officer")


def test_a_medical_document_is_404_for_staff_without_view_restricted(
    client, participant, ministry_admin, staff_without_restricted
):
    medical = upload(participant, ministry_admin, kind="medical", name="mcu.pdf")
    ktp = upload(participant, ministry_admin)
    assert download(client, staff_without_restricted, medical).status_code == 404
    assert download(client, staff_without_restricted, ktp).status_code == 200
    assert download(client, ministry_admin, medical).status_code == 200


def test_the_change_page_links_the_download_view_never_the_storage_url(
    client, participant, ministry_admin, staff_without_restricted
):
    medical = upload(participant, ministry_admin, kind="medical", name="mcu.pdf")
    ktp = upload(participant, ministry_admin)
    url = reverse("admin:participants_participant_change", args=[participant.pk])
    client.force_login(ministry_admin)
    text = client.get(url).text
    assert reverse("participants:document_download", args=[ktp.pk]) in text
    assert reverse("participants:document_download", args=[medical.pk]) in text
    assert ktp.file.name not in text
    client.force_login(staff_without_restricted)
    text = client.get(url).text
    assert reverse("participants:document_download", args=[ktp.pk]) in text
    assert reverse("participants:document_download", args=[medical.pk]) not in text
    assert "mcu.pdf" not in text


def admin_upload(client, user, participant, content, name="ktp.pdf", kind="ktp"):
    client.force_login(user)
    return client.post(
        reverse("admin:participants_personaldocument_add"),
        {"participant": participant.pk, "kind": kind, "upload": SimpleUploadedFile(name, content)},
    )


def test_an_upload_in_the_admin_goes_through_document_add(client, participant, ministry_officer):
    response = admin_upload(client, ministry_officer, participant, PDF)
    assert response.status_code == 302
    document = PersonalDocument.objects.get()
    assert (document.content_type, document.original_name) == ("application/pdf", "ktp.pdf")
    assert document.uploaded_by == ministry_officer


def test_an_executable_uploaded_in_the_admin_is_refused(client, participant, ministry_officer):
    response = admin_upload(client, ministry_officer, participant, b"MZ\x90\x00", "x.exe")
    assert response.status_code == 200
    assert "upload" in response.context["adminform"].form.errors
    assert not PersonalDocument.objects.exists()


def test_the_document_list_hides_restricted_kinds_from_staff_without_the_permission(
    client, participant, ministry_admin, staff_without_restricted
):
    upload(participant, ministry_admin, kind="medical", name="mcu.pdf")
    ktp = upload(participant, ministry_admin)
    client.force_login(staff_without_restricted)
    response = client.get(reverse("admin:participants_personaldocument_changelist"))
    assert list(response.context["cl"].result_list) == [ktp]
    client.force_login(ministry_admin)
    response = client.get(reverse("admin:participants_personaldocument_changelist"))
    assert len(response.context["cl"].result_list) == 2
