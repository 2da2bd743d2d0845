"""The matrix has teeth: with one visibility method that shows everything, it fails."""

from participants.models import ParticipantQuerySet

from . import walk

SUBSET = {
    "api:participants-detail",
    "api:participants-list",
    "partner:participant",
    "privacy:person",
    "admin:participants_participant_change",
}


def test_the_matrix_passes_on_the_subset_with_the_real_visibility(world):
    count, mismatches = walk.run(world, names=SUBSET, methods=("GET",))
    assert count > 50
    assert mismatches == []


def test_the_matrix_fails_when_participants_are_visible_to_everyone(world, monkeypatch):
    monkeypatch.setattr(ParticipantQuerySet, "visible_to", lambda self, user: self)

    count, mismatches = walk.run(world, names=SUBSET, methods=("GET",))

    assert count > 50
    side_b = world.b.participant.pk
    # The other organisation's participant, through the API and the partner page.
    api = f"GET /api/v1/participants/{side_b}/ [api:participants-detail]"
    assert f"{api} as staff_a: got ok, expected 404" in mismatches
    page = f"GET /partner/participants/{side_b}/ [partner:participant]"
    assert f"{page} as staff_a: got ok, expected 404" in mismatches
    # Another province's participant in the admin, for an officer limited to Bali.
    assert any(
        line.startswith(f"GET /admin/participants/participant/{side_b}/change/")
        and "as officer: got ok, expected admin_notfound" in line
        for line in mismatches
    ), mismatches
    # The other participant's record through the API.
    assert f"{api} as participant_a: got ok, expected 404" in mismatches
