import pytest

from portal.reports.suppression import SUPPRESSED, suppress, suppress_value


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_it_shows_counts_from_one_to_four_as_less_than_five(count):
    assert suppress_value(count) == SUPPRESSED == "<5"


@pytest.mark.parametrize("count", [0, 5, 6, 120])
def test_it_shows_zero_and_counts_from_five_as_they_are(count):
    assert suppress_value(count) == count


def test_it_gives_the_total_when_no_cell_is_suppressed():
    shown, total = suppress({"Bali": 12, "Jawa Timur": 0, "NTB": 5})
    assert shown == {"Bali": 12, "Jawa Timur": 0, "NTB": 5}
    assert total == 17


def test_it_withholds_the_total_when_one_cell_could_be_worked_out_from_it():
    shown, total = suppress({"Bali": 12, "NTB": 3})
    assert shown == {"Bali": 12, "NTB": "<5"}
    assert total is None


def test_it_withholds_the_total_when_several_cells_are_suppressed():
    shown, total = suppress({"a": 1, "b": 4, "c": 40})
    assert shown == {"a": "<5", "b": "<5", "c": 40}
    assert total is None


def test_a_breakdown_of_zeros_has_a_total_of_zero():
    assert suppress({"a": 0, "b": 0}) == ({"a": 0, "b": 0}, 0)


def test_an_empty_breakdown_has_a_total_of_zero():
    assert suppress({}) == ({}, 0)


def test_a_single_small_cell_is_suppressed_and_its_total_withheld():
    assert suppress({"only": 2}) == ({"only": "<5"}, None)


def test_it_keeps_the_keys_of_the_breakdown():
    cells = {("Bali", "active"): 7, ("Bali", "withdrawn"): 1}
    shown, _total = suppress(cells)
    assert list(shown) == list(cells)
