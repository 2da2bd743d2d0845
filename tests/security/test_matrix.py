"""Every URL of the project x every persona x method answers as the matrix declares."""

import pytest
from django.urls import reverse

from . import matrix, walk


def test_every_url_name_of_the_project_has_a_rule():
    missing = [
        name
        for name in matrix.url_names()
        if name != "admin:app_list" and matrix.rule_for(name) is None
    ]
    assert missing == [], f"URL names missing from the permission matrix: {missing}"


def test_a_url_missing_from_the_table_fails_the_walk(monkeypatch):
    monkeypatch.delitem(matrix.PAGES, "healthz")
    with pytest.raises(KeyError, match="healthz"):
        list(walk.cases(names={"healthz", "home"}))


@pytest.mark.parametrize("area", ["pages", "api", "admin"])
def test_every_url_answers_every_persona_as_the_matrix_declares(world, area, capsys):
    names = {
        name
        for name in matrix.url_names()
        if (area == "api") == name.startswith("api:")
        and (area == "admin") == name.startswith("admin:")
    }
    count, mismatches = walk.run(world, names=names)
    with capsys.disabled():
        print(f"\n[{area}] checked {count} URL x persona x method cases")
    assert count > 0
    assert not mismatches, f"{len(mismatches)} answers differ from the matrix:\n" + "\n".join(
        mismatches
    )


def test_certificate_verification_answers_429_when_one_address_asks_too_often(world):
    """The matrix's "429": the public verification page limits each address."""
    from portal.web.verify import RATE

    client = world.clients["anonymous"]
    url = reverse("verify", kwargs={"code": world.a.certificate.verification_code})
    limit = int(RATE.split("/")[0])
    answers = [matrix.classify(client.get(url)) for _ in range(limit + 1)]
    assert answers[0] == "ok"
    assert answers[-1] == "429"
