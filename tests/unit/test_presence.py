"""Presence codes, invitation and tablet codes, and the join-rate alarm: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workshop.domain import presence as pr

SECRET = "a" * 64
NOON = datetime(2026, 12, 4, 12, 0, 30, tzinfo=UTC)


def test_a_presence_code_is_five_digits_and_changes_every_minute() -> None:
    minute = pr.minute_of(NOON)
    codes = [pr.presence_code(SECRET, minute + n) for n in range(200)]
    assert all(len(c) == pr.PRESENCE_DIGITS and c.isdigit() for c in codes)
    assert len(set(codes)) > 190  # nearly all different (10**5 possible)
    assert pr.presence_code(SECRET, minute) == pr.presence_code(SECRET, minute)  # derived, not stored
    assert pr.presence_code("b" * 64, minute) != pr.presence_code(SECRET, minute)


@pytest.mark.parametrize(
    ("typed_at", "checked_at", "ok"),
    [
        (NOON, NOON, True),
        (NOON, NOON + timedelta(seconds=29), True),  # still this minute
        (NOON, NOON + timedelta(seconds=60), True),  # the minute after: last minute's code works
        (NOON, NOON + timedelta(seconds=90), False),  # two minutes on
        (NOON, NOON - timedelta(seconds=60), False),  # a code from the future
    ],
)
def test_a_code_works_this_minute_and_the_next(typed_at: datetime, checked_at: datetime, ok: bool) -> None:
    code = pr.presence_code(SECRET, pr.minute_of(typed_at))
    assert pr.presence_ok(SECRET, code, checked_at) is ok


@pytest.mark.parametrize("raw", ["", None, "1234", "123456", "12a45", "١٢٣٤٥", "12 34"])
def test_anything_but_five_digits_is_not_a_presence_code(raw: str | None) -> None:
    assert pr.normalise_presence(raw) is None
    assert pr.presence_ok(SECRET, raw, NOON) is False


def test_spaces_and_dashes_are_forgiven() -> None:
    code = pr.presence_code(SECRET, pr.minute_of(NOON))
    assert pr.presence_ok(SECRET, f" {code[:2]}-{code[2:]} ", NOON)


def test_seconds_left_counts_down_to_the_next_code() -> None:
    assert pr.seconds_left(NOON) == 30
    assert pr.seconds_left(NOON.replace(second=0)) == 60
    assert pr.seconds_left(NOON.replace(second=59)) == 1


def test_invitation_codes_are_random_grouped_and_hashed_per_workshop() -> None:
    codes = {pr.new_invitation_code() for _ in range(500)}
    assert len(codes) == 500
    code = next(iter(codes))
    assert pr.normalise_invitation(code.lower().replace("-", " ")) == code
    assert pr.normalise_invitation("ABCDE-0OIL1") is None  # look-alike characters are never used
    assert pr.invitation_hash(1, code) != pr.invitation_hash(2, code)
    assert code.replace("-", "") not in pr.invitation_hash(1, code)


def test_tablet_codes() -> None:
    code = pr.new_tablet_code()
    assert len(code) == pr.TABLET_LENGTH and pr.normalise_tablet(code.lower()) == code
    assert pr.normalise_tablet("ABC") is None
    assert len(pr.tablet_hash(code)) == 64


@pytest.mark.parametrize(("expected", "cap"), [(1, 3), (10, 12), (40, 44), (200, 220)])
def test_the_suggested_cap_is_a_tenth_more(expected: int, cap: int) -> None:
    assert pr.suggested_cap(expected) == cap


def _times(*offsets: float) -> list[datetime]:
    return [NOON + timedelta(seconds=s) for s in offsets]


def test_a_room_scanning_at_human_speed_raises_no_alarm() -> None:
    times = _times(*[n * 0.8 for n in range(40)])  # one join every 0.8 s: 13 in any 10 s
    found = pr.join_alarm(times, expected=50, limit=20)
    assert not found.raised and found.burst == 13


def test_a_burst_faster_than_a_room_can_scan_is_found_with_its_span() -> None:
    honest = [n * 3.0 for n in range(10)]  # 0 .. 27 s
    burst = [100 + n * 0.05 for n in range(60)]  # 60 joins in 3 s
    found = pr.join_alarm(_times(*honest, *burst), expected=None, limit=20)
    assert found.raised and found.burst == 60 and not found.over_expected
    assert found.burst_start is not None and found.burst_end is not None
    assert found.burst_start >= NOON + timedelta(seconds=100)
    assert found.burst_end == NOON + timedelta(seconds=100 + 59 * 0.05)
    assert pr.in_window(_times(*honest, *burst), found.burst_start, found.burst_end) <= 60


def test_more_joins_than_expected_raise_the_alarm() -> None:
    found = pr.join_alarm(_times(*[n * 5.0 for n in range(11)]), expected=10, limit=20)
    assert found.over_expected and found.raised and found.burst_start is None
