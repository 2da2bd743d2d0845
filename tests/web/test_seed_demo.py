"""The `seed_demo` command: development-only, idempotent, and consistent with who sees what."""

from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from participants.models import Participant
from portal.accounts.models import User

DEMO_PASSWORD = "demo-portal-2026"
ROLES = {
    "admin": "ministry_admin",
    "officer": "ministry_officer",
    "analyst": "analyst",
    "pbs": "partner_staff",
    "sr_staff": "partner_staff",
    "peserta": "participant",
}
TOUCHED_APPS = ("accounts", "partners", "participants", "training", "placements")


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    """Rows of every model of the apps the command writes to, plus the audit log."""
    found = {
        model._meta.label: model._default_manager.count()
        for app in TOUCHED_APPS
        for model in apps.get_app_config(app).get_models()
    }
    found["auditlog.LogEntry"] = LogEntry.objects.count()
    return found


@pytest.fixture
def seeded(db, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return seed()


def test_it_refuses_to_run_when_debug_is_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed()

    assert not Participant.objects.exists()
    assert not User.objects.exists()


def test_it_creates_the_six_logins_with_the_demo_password_and_their_roles(seeded):
    for username, role in ROLES.items():
        request = RequestFactory().post("/login/")
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [role]
    officer = User.objects.get(username="officer")
    assert list(officer.provinces.values_list("code", flat=True)) == ["51"]
    assert "peserta" in seeded and DEMO_PASSWORD in seeded


def test_it_creates_at_least_sixty_participants_in_all_three_categories(seeded):
    assert Participant.objects.count() >= 60
    for category in ("former_prisoner", "sr_student", "returning_worker"):
        assert Participant.objects.in_category(category).count() >= 10, category


def test_the_peserta_login_is_a_former_prisoner_in_bali_enrolled_in_welding(seeded):
    participant = Participant.objects.get(user__username="peserta")

    assert participant.is_former_prisoner
    assert participant.province_id == "51"
    assert participant.enrolments.filter(batch__track__kind="welding").exists()


def test_running_it_twice_leaves_every_count_unchanged(seeded):
    before = counts()

    seed()

    assert counts() == before


def test_sessions_of_the_bali_welding_batch_are_at_eight_in_the_morning_wita(seeded):
    from training.models import Batch

    batch = Batch.objects.get(track__kind="welding", venue_regency__province_id="51")

    assert batch.timezone == "Asia/Makassar"
    sessions = list(batch.sessions.all())
    assert sessions
    for session in sessions:
        local = session.starts_at.astimezone(ZoneInfo("Asia/Makassar"))
        assert (local.hour, local.minute) == (8, 0)
        assert session.starts_at.astimezone(ZoneInfo("UTC")).hour == 0


def test_pbs_sees_only_kesempatan_kedua_participants(seeded):
    pbs = User.objects.get(username="pbs")

    visible = Participant.objects.visible_to(pbs)

    assert visible.exists()
    assert not visible.exclude(participations__programme__code="kesempatan-kedua").exists()
    assert not visible.filter(is_sr_student=True).exists()
    assert not visible.filter(is_returning_worker=True).exists()


def test_sr_staff_sees_only_students_of_its_own_school(seeded):
    sr_staff = User.objects.get(username="sr_staff")
    school = sr_staff.membership.organisation

    visible = Participant.objects.visible_to(sr_staff)

    assert visible.exists()
    assert visible.count() == visible.filter(student_profile__school=school).count()
    other_schools = Participant.objects.filter(is_sr_student=True).exclude(
        student_profile__school=school
    )
    assert other_schools.exists()
    assert not visible.filter(pk__in=other_schools).exists()


def test_partners_do_not_see_participants_who_withheld_consent(seeded):
    pbs = User.objects.get(username="pbs")
    withheld = Participant.objects.filter(
        participations__programme__code="kesempatan-kedua", consents__isnull=True
    )

    assert withheld.exists()
    assert not Participant.objects.visible_to(pbs).filter(pk__in=withheld).exists()


def test_one_welder_has_three_absences_in_a_row(seeded):
    from training.models import Enrolment
    from training.services import consecutive_absences

    enrolments = Enrolment.objects.filter(batch__track__kind="welding")

    assert any(consecutive_absences(enrolment=e) >= 3 for e in enrolments)


def test_placements_cover_every_phase(seeded):
    from placements.models import Phase, Placement

    present = set(Placement.objects.values_list("phase", flat=True))

    assert present == set(Phase.values)
    assert "placements" in seeded and "referrals pending" in seeded


def test_the_demo_admin_overrode_one_guard_with_a_written_reason(seeded):
    from placements.models import PhaseChange

    overrides = PhaseChange.objects.exclude(overridden=[])

    assert overrides.count() == 1
    change = overrides.get()
    assert change.changed_by.username == "admin"
    assert change.override_reason.strip()
    assert [item["code"] for item in change.overridden] == ["document"]


HELD = [
    ("registered", "selected", "destination_bar"),  # a drug offence, bound for Japan
    ("selected", "medical_cleared", "document"),  # a medical check over 90 days old
    ("oriented", "departed", "not_before"),  # parole supervision until next year
]


def test_some_placements_are_held_by_a_guard(seeded):
    from placements.models import Placement
    from placements.services import placement_refusals

    for phase, to_phase, code in HELD:
        found = [
            {r.code for r in placement_refusals(placement=placement, to_phase=to_phase)}
            for placement in Placement.objects.filter(phase=phase)
        ]
        assert any(code in codes for codes in found), (phase, found)


def test_returned_workers_have_open_and_closed_cases_and_referrals(seeded):
    from placements.models import Case, Referral, ServiceDelivery

    assert Case.objects.open().exists()
    assert Case.objects.filter(status="closed").exists()
    assert Referral.objects.filter(status="pending").exists()
    done = Referral.objects.get(status="done")
    assert done.to_organisation.kind == "rehabilitation_centre"
    assistance = ServiceDelivery.objects.get(referral=done, kind="social_assistance")
    assert assistance.decile is not None and assistance.bansos_candidate
    assert Case.objects.filter(placement__isnull=False, placement__incidents__isnull=False)


def test_workers_abroad_have_check_ins_and_one_was_escalated(seeded):
    from placements.models import CheckIn, ContractChange

    assert CheckIn.objects.filter(wellbeing="good").exists()
    assert CheckIn.objects.filter(wellbeing="at_risk", escalated_to_embassy=True).count() == 1
    assert ContractChange.objects.count() == 1


def test_pbs_sees_placements_only_of_its_participants_and_no_cases(seeded):
    from placements.models import Case, Placement, Referral

    pbs = User.objects.get(username="pbs")

    placements = Placement.objects.visible_to(pbs)

    assert placements.exists()
    assert placements.count() < Placement.objects.count()
    visible_people = Participant.objects.visible_to(pbs)
    assert not placements.exclude(participant__in=visible_people).exists()
    assert not Case.objects.visible_to(pbs).exists()
    assert not Referral.objects.visible_to(pbs).exists()


def test_language_tracks_say_which_level_they_attest(seeded):
    from training.models import Track

    languages = Track.objects.filter(kind="language")

    assert languages.exists()
    assert not languages.filter(language_level="").exists()
