"""The data-exchange log at /analyst/exchanges/: ministry staff list and filter the exports made
for other organisations."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import ScopeItem
from portal.exports.models import ExportRun
from portal.exports.services import export_start
from tests import factories

from .helpers import csv_rows

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.exports.urls")]

LOG = "/analyst/exchanges/"


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def exchange_agreement(recipient, number):
    agreement = factories.AgreementFactory(number=number, parties=[recipient])
    scope, _created = ScopeItem.objects.get_or_create(
        code="data", defaults={"name": "Data exchange", "covers_data_exchange": True}
    )
    agreement.scope_items.add(scope)
    return agreement


@pytest.fixture
def kemensos(db):
    return factories.OrganisationFactory(name="Kemensos", slug="kemensos", kind="ministry")


@pytest.fixture
def bp3mi(db):
    return factories.OrganisationFactory(
        name="BP3MI Bali", slug="bp3mi-bali", kind="regional_office"
    )


def send(user, recipient, agreement, purpose):
    """An exchange made and written (so it has its row count and hash)."""
    run = export_start(
        user=user,
        datasets=["participants"],
        format="csv",
        recipient=recipient,
        agreement=agreement,
        purpose=purpose,
    )
    csv_rows(run)
    run.refresh_from_db()
    return run


def test_the_url_is_the_named_one():
    assert reverse("exports:exchanges") == LOG


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(LOG)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["analyst_user", "partner_user", "participant_account"])
def test_only_ministry_staff_see_the_log(client, request, persona):
    assert login(client, request.getfixturevalue(persona)).get(LOG).status_code == 403


def test_the_log_answers_405_to_a_post(client, ministry_admin):
    assert login(client, ministry_admin).post(LOG).status_code == 405


@pytest.mark.parametrize("persona", ["ministry_admin", "ministry_officer"])
def test_the_log_shows_each_exchange_but_no_plain_export(client, request, persona, kemensos):
    factories.ParticipantFactory.create_batch(2)
    analyst = factories.UserFactory(username="analyst9", role="analyst")
    run = send(analyst, kemensos, exchange_agreement(kemensos, "MOU/KS/2025"), "DTSEN match")
    plain = export_start(user=analyst, datasets=["job_orders"], format="csv")

    page = login(client, request.getfixturevalue(persona)).get(LOG).content.decode()

    assert "Kemensos" in page
    assert "MOU/KS/2025" in page
    assert "DTSEN match" in page
    assert "analyst9" in page
    assert run.sha256 in page
    assert f"<td>{run.row_count}</td>" in page
    assert "Job orders" not in page
    assert plain.pk and page.count(' scope="row"') == 1


def test_the_rows_left_out_for_withdrawn_consent_are_shown(client, ministry_admin, kemensos):
    factories.ParticipantFactory()
    withdrawn = factories.ParticipantFactory()
    factories.ConsentFactory(
        participant=withdrawn,
        purpose="data_exchange",
        given_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        withdrawn_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )
    run = send(ministry_admin, kemensos, exchange_agreement(kemensos, "MOU/1"), "Bansos")

    page = login(client, ministry_admin).get(LOG).content.decode()

    assert (run.row_count, run.excluded_count) == (1, 1)
    assert "<td>1</td>\n      <td>1</td>" in page


def test_the_log_filters_by_recipient_agreement_and_dates(client, ministry_admin, kemensos, bp3mi):
    to_kemensos = send(ministry_admin, kemensos, exchange_agreement(kemensos, "MOU/KS"), "one")
    bp3mi_agreement = exchange_agreement(bp3mi, "PKS/BP3MI")
    to_bp3mi = send(ministry_admin, bp3mi, bp3mi_agreement, "two")
    old = send(ministry_admin, bp3mi, bp3mi_agreement, "three")
    ExportRun.objects.filter(pk=old.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 1, 10, 9, 0))
    )
    login(client, ministry_admin)

    def purposes(**query):
        page = client.get(LOG, query).content.decode()
        return [p for p in ("one", "two", "three") if f"<td>{p}</td>" in page]

    assert purposes() == ["one", "two", "three"]
    assert purposes(recipient=kemensos.pk) == ["one"]
    assert purposes(agreement=bp3mi_agreement.pk) == ["two", "three"]
    assert purposes(date_to="2026-01-10") == ["three"]
    assert purposes(date_from="2026-01-11", recipient=bp3mi.pk) == ["two"]
    assert to_kemensos.pk and to_bp3mi.pk


def test_an_invalid_date_is_explained_and_the_log_is_not_filtered(client, ministry_admin, kemensos):
    send(ministry_admin, kemensos, exchange_agreement(kemensos, "MOU/KS"), "one")

    page = login(client, ministry_admin).get(LOG, {"date_from": "31-31-2026"}).content.decode()

    assert "Enter a valid date" in page
    assert "<td>one</td>" in page


def test_the_page_links_keep_the_filters(client, ministry_admin, kemensos):
    agreement = exchange_agreement(kemensos, "MOU/KS")
    make_exchanges(ministry_admin, kemensos, agreement, 30)

    page = login(client, ministry_admin).get(LOG, {"recipient": kemensos.pk}).content.decode()

    assert f"?recipient={kemensos.pk}&amp;page=2" in page


def make_exchanges(user, recipient, agreement, count):
    ExportRun.objects.bulk_create(
        ExportRun(
            user=user,
            datasets=["participants"],
            format="csv",
            status="done",
            row_count=n,
            recipient=recipient,
            agreement=agreement,
            purpose=f"purpose {n}",
            sha256=f"{n:064x}",
        )
        for n in range(count)
    )


def test_the_log_costs_the_same_queries_for_five_or_fifty_exchanges(
    client, ministry_admin, kemensos, django_assert_max_num_queries
):
    # session, user, roles, count, exchanges with user/recipient/agreement, and the filter
    # form's recipient and agreement choices
    agreement = exchange_agreement(kemensos, "MOU/KS")
    login(client, ministry_admin)
    make_exchanges(ministry_admin, kemensos, agreement, 5)
    with django_assert_max_num_queries(7):
        page = client.get(LOG).content.decode()
    assert page.count(' scope="row"') == 5
    make_exchanges(ministry_admin, kemensos, agreement, 45)
    with django_assert_max_num_queries(7):
        page = client.get(LOG).content.decode()
    assert page.count(' scope="row"') == 25
