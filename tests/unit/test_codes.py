"""Join codes and receipt codes."""

from __future__ import annotations

import math

import pytest

from workshop.domain import codes


def test_join_codes_use_only_the_unambiguous_alphabet() -> None:
    for _ in range(500):
        code = codes.new_join_code()
        assert len(code) == 6
        assert set(code) <= set(codes.JOIN_ALPHABET)
    for lookalike in "0O1IL2Z5S8B":
        assert lookalike not in codes.JOIN_ALPHABET


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("KMR7TX", "KMR7TX"),
        ("kmr7tx", "KMR7TX"),
        (" kmr 7tx ", "KMR7TX"),
        ("KMR-7TX", "KMR7TX"),
        ("KMR7T", None),
        ("KMR7TXX", None),
        ("KMR0TX", None),  # zero is never in a code
        ("", None),
        ("<script>", None),
    ],
)
def test_normalise_join_code(typed: str, expected: str | None) -> None:
    assert codes.normalise_join_code(typed) == expected


def test_receipt_code_has_at_least_40_bits_and_round_trips() -> None:
    bits = codes.RECEIPT_LENGTH * math.log2(len(codes.RECEIPT_ALPHABET))
    assert bits >= 40
    seen = set()
    for _ in range(200):
        code = codes.new_receipt_code()
        assert codes.normalise_receipt_code(code) == code
        assert codes.normalise_receipt_code(code.lower().replace("-", " ")) == code
        seen.add(code)
    assert len(seen) == 200


@pytest.mark.parametrize("typed", ["", "ABCDE", "ABCDE-FGHJKL", "ABCDE-FGHJ1", "ABCDE-FGHJ0"])
def test_bad_receipt_codes_are_refused(typed: str) -> None:
    assert codes.normalise_receipt_code(typed) is None


def test_receipt_hash_is_stable_and_not_the_code() -> None:
    code = codes.new_receipt_code()
    assert codes.receipt_hash(code) == codes.receipt_hash(code)
    assert code not in codes.receipt_hash(code)


LOOKALIKES = {"B": "8", "S": "5", "Z": "2", "G": "6"}


def test_receipt_codes_hold_no_look_alike_characters() -> None:
    """B/8, S/5, Z/2, G/6 (and I/L/1, O/0) are easily misread: a code never holds both of a pair."""
    for letter, digit in LOOKALIKES.items():
        assert letter not in codes.RECEIPT_ALPHABET and digit in codes.RECEIPT_ALPHABET
    assert not set("ILO01") & set(codes.RECEIPT_ALPHABET)
    for _ in range(300):
        assert not set(codes.new_receipt_code()) & set("BSZGILO01")


def test_a_look_alike_letter_typed_is_read_as_its_digit() -> None:
    code = "ACD8E-5F2H6"
    assert codes.normalise_receipt_code(code) == code
    assert codes.normalise_receipt_code("acdbe sf zhg") == code
    assert codes.receipt_code_forms("acdbe-sfzhg") == [code, "ACDBE-SFZHG"]


def test_a_code_given_before_the_change_still_has_its_old_form() -> None:
    """A receipt written down before B, S, Z and G were left out is still found as typed."""
    old = "BSZGA-CDEFH"
    assert old in codes.receipt_code_forms(old.lower())
    assert codes.receipt_code_forms("nothing") == []
    assert codes.receipt_code_forms("ACDEF-HJKM1") == []  # a one is never in any code
