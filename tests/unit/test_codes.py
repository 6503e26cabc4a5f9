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
