"""The `generate_load` command: a consistent, recognisable load that checks itself."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from participants.models import Consent, Participant, Participation
from participants.normalise import age_on, normalise_kk, normalise_nik
from partners.models import Organisation
from placements.models import Case, Phase, PhaseChange, Placement
from portal.web.loadgen.reference import BIG_PARTNER
from tests import factories


def generate(*args):
    out = StringIO()
    call_command("generate_load", *args, stdout=out)
    return out.getvalue()


def reported(output):
    """{model label: rows} from the command's table."""
    return {
        label: int(rows.replace(",", ""))
        for label, rows in re.findall(r"^(\w+\.\w+)\s+([\d,]+) rows", output, re.M)
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.mark.django_db
def test_it_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        generate("--participants", "10")


@pytest.mark.django_db
def test_a_small_load_is_consistent_and_checks_itself(debug):
    demo = factories.ParticipantFactory()
    output = generate("--participants", "300", "--seed", "7")
    today = timezone.localdate()

    assert "[FAILED]" not in output
    counts = reported(output)
    assert counts["participants.Participant"] == 300
    assert Participant.objects.count() == 301
    for label, rows in counts.items():
        assert apps.get_model(label).objects.count() >= rows, label

    people = Participant.objects.exclude(pk=demo.pk)
    for person in people:
        nik = normalise_nik(person.nik, as_of=today)
        assert nik.ok and nik.birth_date == person.birth_date, person.nik
        assert nik.sex == person.sex
        assert person.nik[-4] == "9"  # the serial range reserved for loads
        assert not normalise_kk(person.kk_number, nik=person.nik, as_of=today).messages
        assert person.phone == "" or person.phone.startswith("+628")
    assert people.values("province").distinct().count() >= 20
    assert not people.annotate(n=Count("participations")).filter(n=0).exists()

    phases = set(Placement.objects.values_list("phase", flat=True))
    assert phases == set(Phase.values)
    for placement in Placement.objects.all():
        history = list(placement.phase_changes.order_by("changed_at", "pk"))
        assert history[0].from_phase == "" and history[0].to_phase == "registered"
        assert history[-1].to_phase == placement.phase
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_phase == before.to_phase
            assert after.to_phase in Placement.TRANSITIONS[before.to_phase]
        assert age_on(placement.participant.birth_date, today) >= 18

    minors = [p for p in people.filter(is_sr_student=True) if p.is_minor(today)]
    assert minors
    for minor in minors:
        consents = list(minor.consents.all())
        assert any(c.purpose == "partner_sharing" and c.is_standing for c in consents)
        assert all(c.given_by == Consent.GivenBy.GUARDIAN and c.guardian_name for c in consents)

    for case in Case.objects.all():
        assert (case.status == "closed") == (case.closed_on is not None)
        for referral in case.referrals.all():
            assert referral.consent.participant_id == case.participant_id
            assert referral.consent.purpose == "referral"


@pytest.mark.django_db
def test_the_big_partner_sees_about_a_tenth(debug):
    generate("--participants", "600", "--seed", "3")
    big = Organisation.objects.get(slug=BIG_PARTNER)
    staff = factories.PartnerStaffFactory(username="big_staff", organisation=big)
    outsider = factories.PartnerStaffFactory(username="outsider_staff")

    seen = Participant.objects.visible_to(staff).count()

    assert 20 <= seen <= 120
    assert Participant.objects.visible_to(outsider).count() == 0


@pytest.mark.django_db
def test_a_second_load_is_refused_and_reset_replaces_it(debug):
    factories.ParticipantFactory()
    generate("--participants", "50", "--seed", "1")
    first = list(Participant.objects.order_by("nik").values_list("nik", "full_name"))

    with pytest.raises(CommandError, match="--reset"):
        generate("--participants", "50")
    output = generate("--participants", "50", "--seed", "1", "--reset")

    assert "Removed the previous load (50 participants)" in output
    assert list(Participant.objects.order_by("nik").values_list("nik", "full_name")) == first
    assert Participation.objects.filter(participant__nik__regex=r"9...$").count() >= 50
    assert PhaseChange.objects.count() >= Placement.objects.count()


@pytest.mark.django_db
def test_ten_thousand_participants_load_by_copy_on_postgresql(debug, require_postgres):
    output = generate("--participants", "10000", "--seed", "1")

    assert "Method: COPY (PostgreSQL)" in output
    assert "[FAILED]" not in output
    counts = reported(output)
    assert counts["participants.Participant"] == Participant.objects.count() == 10_000
    assert counts["placements.Placement"] == Placement.objects.count()
    assert counts["placements.PhaseChange"] == PhaseChange.objects.count()
    assert counts["participants.Participation"] == Participation.objects.count()
    assert set(Placement.objects.values_list("phase", flat=True)) == set(Phase.values)
    # The sequences moved past the copied ids: the ORM can add rows afterwards.
    assert factories.ParticipantFactory().pk > 10_000
