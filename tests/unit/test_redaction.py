"""Redaction of personal details in free text (workshop.domain.redaction)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop.domain.redaction import KINDS, Finding, Redacted, Redactor, redact

DATA = Path(__file__).resolve().parents[1] / "data" / "redaction_comments.jsonl"
# Held-out thresholds: the same as the tuning targets unless honest results say otherwise
# (the measured numbers are in docs/privacy.md).
HELDOUT_OVERALL = 0.95
HELDOUT_EACH = 0.90
NAMES = ["Jayden", "Kacey", "Mrs Patel", "Oak Lane", "Leon Smith", "Tyler-Jay", "Zoë", "Will", "Liam O'Brien"]


def found(text: str, names: list[str] | None = None) -> list[tuple[str, str]]:
    """(kind, original text) for each finding."""
    result = redact(text, names or [])
    return [(f.kind, text[f.start : f.end]) for f in result.findings]


# ---------------------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------------------


def test_kinds_and_labels_are_exactly_as_documented() -> None:
    assert KINDS == {
        "name": "[name]",
        "phone": "[phone]",
        "email": "[email]",
        "postcode": "[postcode]",
        "nhs": "[NHS number]",
        "ni": "[NI number]",
        "dob": "[date]",
        "address": "[address]",
        "school": "[school]",
        "url": "[link]",
        "handle": "[handle]",
        "case": "[reference]",
    }


def test_redacted_result_offsets_counts_and_changed() -> None:
    text = "Jayden's mum: 07700 900123, jo@example.com, 07700 900124."
    result = Redactor(["Jayden"]).redact(text)
    assert isinstance(result, Redacted)
    assert result.text == "[name]'s mum: [phone], [email], [phone]."
    assert result.changed
    assert result.counts() == {"name": 1, "phone": 2, "email": 1}
    assert result.findings[0] == Finding("name", 0, 6)
    assert [text[f.start : f.end] for f in result.findings] == [
        "Jayden",
        "07700 900123",
        "jo@example.com",
        "07700 900124",
    ]


def test_nothing_found_leaves_text_untouched() -> None:
    text = "I think a human should always make the final decision."
    result = redact(text, NAMES)
    assert result.text == text
    assert not result.changed
    assert result.findings == ()
    assert result.counts() == {}


def test_convenience_function_accepts_any_iterable_of_names() -> None:
    assert redact("ask Kacey", ["Kacey"]).text == "ask [name]"
    assert redact("ask Kacey", ("Kacey",)).text == "ask [name]"
    assert redact("ask Kacey", (n for n in ["Kacey"])).text == "ask [name]"
    # A made-up name no gazetteer knows is hidden only when it is listed.
    assert redact("ask Zorbulon").text == "ask Zorbulon"
    assert redact("ask Zorbulon", ["Zorbulon"]).text == "ask [name]"


def test_empty_and_odd_name_lists_are_ignored() -> None:
    r = Redactor(["", "   ", "x", "!!", "Kacey"])
    assert r.redact("x marks the spot, said Kacey").text == "x marks the spot, said [name]"
    assert Redactor([]).redact("").text == ""


# ---------------------------------------------------------------------------------------
# Positives, kind by kind: (text, the exact substring that must become one finding)
# ---------------------------------------------------------------------------------------

POSITIVES: dict[str, list[tuple[str, str]]] = {
    "phone": [
        ("ring me on 07700 900123 tonight", "07700 900123"),
        ("text 07700900456", "07700900456"),
        ("my mobile 07700 900 321 any time", "07700 900 321"),
        ("call 07700-900-111.", "07700-900-111"),
        ("+44 7700 900789 is my number", "+44 7700 900789"),
        ("whatsapp +447700900789", "+447700900789"),
        ("0044 7700 900789 from abroad", "0044 7700 900789"),
        ("office 0113 496 0412", "0113 496 0412"),
        ("office 01134960412", "01134960412"),
        ("ring (0113) 496 0000 and ask", "(0113) 496 0000"),
        ("ring 0113-496-0000", "0113-496-0000"),
        ("London office 020 7946 0321", "020 7946 0321"),
        ("(020) 7946 0999 after 5", "(020) 7946 0999"),
        ("tel: +44 (0)113 496 0001", "+44 (0)113 496 0001"),
        ("landline 01632 960123", "01632 960123"),
        ("0161 496 0432", "0161 496 0432"),
        ("03069 990123 is the council", "03069 990123"),
        ("0113 496 0000ext 2", "0113 496 0000"),
    ],
    "email": [
        ("email me at jo@example.com thanks", "jo@example.com"),
        ("j.bloggs@example.org", "j.bloggs@example.org"),
        ("Aisha.K@Example.com please", "Aisha.K@Example.com"),
        ("(parentvoice+workshop@example.org)", "parentvoice+workshop@example.org"),
        ("contact k_jones1985@mail.example.org.", "k_jones1985@mail.example.org"),
        ("ME AT JO.SMITH@EXAMPLE.COM", "JO.SMITH@EXAMPLE.COM"),
    ],
    "postcode": [
        ("we live in LS1 4AB now", "LS1 4AB"),
        ("postcode sw1a1aa", "sw1a1aa"),
        ("M14 5RG", "M14 5RG"),
        ("in B12 9QT there is no hub", "B12 9QT"),
        ("CF24 3AA.", "CF24 3AA"),
        ("EC1V 4PW", "EC1V 4PW"),
        ("LS84QR", "LS84QR"),
        ("ls6  2qf", "ls6  2qf"),
        ("W1A 0AX", "W1A 0AX"),
        ("(NE6 2HT)", "NE6 2HT"),
    ],
    "nhs": [
        ("NHS number 943 476 5919", "943 476 5919"),
        ("nhs no 9434765919", "9434765919"),
        ("NHS: 943-476-5919", "943-476-5919"),
        ("nhs 943 4765 919", "943 4765 919"),
        ("her number is 401 023 2137.", "401 023 2137"),
        ("4505577104 (nhs)", "4505577104"),
    ],
    "ni": [
        ("NI QQ 12 34 56 C", "QQ 12 34 56 C"),
        ("ni ab123456c", "ab123456c"),
        ("NI: AB 12 34 56 C", "AB 12 34 56 C"),
        ("my NI is JK 46 71 23 B.", "JK 46 71 23 B"),
        ("ni ab-12-34-56-c", "ab-12-34-56-c"),
        ("PW 112233 C", "PW 112233 C"),
        ("CE654321D", "CE654321D"),
        ("TL 11 22 33 A", "TL 11 22 33 A"),
    ],
    "dob": [
        ("dob 12/03/2015", "12/03/2015"),
        ("born 12-3-15 in Leeds", "12-3-15"),
        ("born on 3rd March 2015", "3rd March 2015"),
        ("12 March 2015", "12 March 2015"),
        ("March 12 2015", "March 12 2015"),
        ("Aug 3rd, 2011 is her birthday", "Aug 3rd, 2011"),
        ("born on the 4th of July 2016", "4th of July 2016"),
        ("DOB:01.02.2013", "01.02.2013"),
        ("dob 2015-03-12", "2015-03-12"),
        ("born 12th march '15", "12th march '15"),
        ("born on 12th march", "12th march"),
        ("her birthday is 4th June", "4th June"),
        ("date of birth: 14 July", "14 July"),
        ("12/25/2015", "12/25/2015"),
    ],
    "address": [
        ("we live at 12 Oak Lane now", "12 Oak Lane"),
        ("moved to flat 3, 45 Mill Road last year", "flat 3, 45 Mill Road"),
        ("27 Station Rd", "27 Station Rd"),
        ("we live at 12 oak lane", "12 oak lane"),
        ("8 Kestrel Close, BS5", "8 Kestrel Close"),
        ("the office at 112 Queens Drive", "112 Queens Drive"),
        ("5a Church Walk on a saturday", "5a Church Walk"),
        ("no 4 Elm Grove", "no 4 Elm Grove"),
        ("number 7 Elm Close", "number 7 Elm Close"),
        ("12, Oak Lane", "12, Oak Lane"),
        ("12 The Crescent", "12 The Crescent"),
        ("14 St John's Road", "14 St John's Road"),
        ("the foster carer lives on Chapel Street so", "Chapel Street"),
        ("we moved to Pennine Way", "Pennine Way"),
        ("my ex lives on Mill Road", "Mill Road"),
        ("she lives on beech gardens", "beech gardens"),
        ("opposite Hill View Road", "Hill View Road"),
    ],
    "school": [
        ("she goes to St Mary's Primary", "St Mary's Primary"),
        ("Oakfield Academy reported us", "Oakfield Academy"),
        ("at Riverside High School.", "Riverside High School"),
        ("Hillside Infants were great", "Hillside Infants"),
        ("the nursery (Greenway Nursery)", "Greenway Nursery"),
        ("Park View Junior School", "Park View Junior School"),
        ("Holy Trinity C of E Primary never told us", "Holy Trinity C of E Primary"),
        ("St Anne's RC Primary", "St Anne's RC Primary"),
        ("went to Leeds City College", "Leeds City College"),
        ("Brookfield Juniors", "Brookfield Juniors"),
        ("goes to st marys primary", "st marys primary"),
        ("Northfield Sixth Form College", "Northfield Sixth Form College"),
        ("Sometimes Oakfield Academy is strict", "Oakfield Academy"),
    ],
    "url": [
        ("see www.example.org/our-story for more", "www.example.org/our-story"),
        ("https://example.com/parents-against-algorithms", "https://example.com/parents-against-algorithms"),
        ("look at example.co.uk, it has stories", "example.co.uk"),
        ("http://example.net/page?id=3.", "http://example.net/page?id=3"),
        ("(facebook.com/groups/example)", "facebook.com/groups/example"),
        ("bit.ly/3abcDE", "bit.ly/3abcDE"),
        ("WWW.EXAMPLE.ORG", "WWW.EXAMPLE.ORG"),
        ("something.com", "something.com"),
    ],
}


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [(kind, text, expected) for kind, cases in POSITIVES.items() for text, expected in cases],
)
def test_each_kind_is_found(kind: str, text: str, expected: str) -> None:
    assert (kind, expected) in found(text), found(text)
    out = redact(text).text
    assert KINDS[kind] in out
    assert expected not in out


# ---------------------------------------------------------------------------------------
# Names from the facilitator's list
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jayden is 9", "[name] is 9"),
        ("jayden is 9", "[name] is 9"),
        ("JAYDEN IS 9", "[name] IS 9"),
        ("Jayden's school", "[name]'s school"),
        ("Jayden’s school", "[name]’s school"),
        ("jaydens school", "[name] school"),
        ("ask Mrs Patel", "ask [name]"),
        ("ask Mrs. Patel", "ask [name]"),
        ("ask mrs  patel", "ask [name]"),
        ("Patel said no", "[name] said no"),
        ("Leon Smith from the council", "[name] from the council"),
        ("Tyler-Jay and Tyler Jay", "[name] and [name]"),
        ("Zoë and Zoe", "[name] and [name]"),
        ("liam o'brien and Liam O’Brien", "[name] and [name]"),
        ("everyone in oak lane knows", "everyone in [address] knows"),  # found as a street too
        ("everyone on Oak Lane knows", "everyone on [address] knows"),  # same span: the more specific kind
        ("Will said I will be fine", "[name] said I will be fine"),
        ("(Kacey), Kacey. 'Kacey'", "([name]), [name]. '[name]'"),
    ],
)
def test_names_from_the_list(text: str, expected: str) -> None:
    assert redact(text, NAMES).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Jaydenne is a different child",
        "Kaceyville",
        "OJayden",
        "a patella injury",
        "I will tell them",
    ],
)
def test_names_only_match_whole_words(text: str) -> None:
    assert found(text, NAMES) == [], found(text, NAMES)


def test_a_listed_name_matches_whole_words_only() -> None:
    assert found("Smithy's Leon", ["Leon Smith"]) == [("name", "Leon")]  # the gazetteer, not the list


def test_a_longer_name_wins_over_a_shorter_one() -> None:
    result = redact("Leon Smith and Leon", ["Leon", "Leon Smith"])
    assert result.text == "[name] and [name]"
    assert len(result.findings) == 2


# ---------------------------------------------------------------------------------------
# Negatives: ordinary comments about social care must survive
# ---------------------------------------------------------------------------------------

NEGATIVES = [
    "the social worker said the score was 7 out of 20",
    "in 2019 the council started using it",
    "a school can make a referral",
    "primary school staff see kids every day",
    "last March we had a meeting",
    "March is always busy",
    "we went to family court",
    "it went to the High Court in 2019",
    "Leeds Crown Court was scary",
    "377,000 people were referred",
    "the NSPCC helpline is 0808 800 5000",
    "Childline 0800 1111 is free",
    "call 999 in an emergency or 101",
    "we had a meeting on 12 March about this",
    "in May 2020 everything moved online",
    "he was born in 2015 and went into care in 2017",
    "I rate the idea 3/10",
    "2,340 referrals in 2022/23",
    "version 2.1 of the tool",
    "The Virtual School head said the data is patchy",
    "we had 3 different social workers in a row",
    "2 meetings in a row",
    "it's a 10 minute walk to the family hub",
    "I live 5 miles down the road from my mum",
    "my kids are 3, 7 and 11",
    "Secondary School was hard",
    "Sometimes School is hard",
    "My Son Was Excluded From School",
    "Primary Schools Refer More Than Secondary Schools In Our Area",
    "In 2020-21 there were 400,000 children in need",
    "the ratio was 1:20",
    "the model's AUC was 0.72",
    "Section 47 enquiries are scary",
    "it was 2am when the police came",
    "she was in Year 9",
    "e.g. schools, GPs, police; i.e. everyone",
    "24/7 duty team",
    "1-2-1 support helped",
    "The Family Drug and Alcohol Court works better",
    "in the Family Court",
    "In No Way is that fair",
    "on The Way Forward report",
    "I got an A in Health and Social Care at college",
    "between 10 and 15 percent",
    "NHS waiting lists are 18 weeks",
    "the bad number 943 476 5918",
    "0113 496",
    "07700 9001",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_text_is_not_redacted(text: str) -> None:
    assert found(text, NAMES) == []


@pytest.mark.parametrize(
    "number",
    ["943 476 5918", "9434765910", "401 023 2130", "1234567890", "0000000001", "4505577105"],
)
def test_nhs_numbers_need_a_valid_checksum_unless_called_nhs(number: str) -> None:
    # Without the word "NHS" a ten-digit number needs the checksum to be an NHS number ...
    assert all(kind != "nhs" for kind, _ in found(f"the number {number}"))
    # ... after "NHS number" it is hidden whatever the checksum: a mistyped digit still
    # points at one child.
    assert ("nhs", number) in found(f"nhs number {number}")


@pytest.mark.parametrize("first", list("DFIUV"))
def test_ni_banned_first_letters(first: str) -> None:
    assert found(f"see {first}A 12 34 56 C") == []
    assert found(f"NI {first}A 12 34 56 C") == [("ni", f"{first}A 12 34 56 C")]  # after "NI": hidden anyway


@pytest.mark.parametrize("second", list("DFIOQUV"))
def test_ni_banned_second_letters(second: str) -> None:
    assert found(f"see A{second} 12 34 56 C") == []


@pytest.mark.parametrize("prefix", ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"])
def test_ni_banned_prefixes(prefix: str) -> None:
    assert found(f"see {prefix} 12 34 56 C") == []
    assert found(f"my NI is {prefix} 12 34 56 C") == [("ni", f"{prefix} 12 34 56 C")]


@pytest.mark.parametrize("text", ["NI AB 12 34 56 E", "NI AB 12 34 56", "AB 12 34 567 C"])
def test_ni_shape_must_be_right(text: str) -> None:
    assert all(kind != "ni" for kind, _ in found(text))


@pytest.mark.parametrize("text", ["31/31/2015", "00/03/2015", "13/13/15", "2015-13-01", "45-12-20"])
def test_impossible_dates_are_not_dates(text: str) -> None:
    assert all(kind != "dob" for kind, _ in found(text))


@pytest.mark.parametrize("text", ["Y9 2ND term", "QQ1 2AB", "J1 1AA"])
def test_postcode_areas_must_exist(text: str) -> None:
    assert all(kind != "postcode" for kind, _ in found(text))


# ---------------------------------------------------------------------------------------
# Overlaps and surroundings
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("jo@example.com", [], "[email]"),
        ("12 Oak Lane", ["Oak Lane"], "[address]"),
        ("on Oak Lane", ["Oak"], "on [address]"),
        ("St Mary's Primary", ["Mary"], "[school]"),
        ("Jayden Academy", ["Jayden"], "[school]"),
        ("born on 3rd March 2015", [], "born on [date]"),
        ("flat 3, 45 Mill Road LS6 2QF", [], "[address] [postcode]"),
        ("12 Oak Lane, Leeds LS1 4AB.", [], "[address], Leeds [postcode]."),
        ("(07700 900123).", [], "([phone])."),
        ("Kacey:07700900123;jo@example.com!", ["Kacey"], "[name]:[phone];[email]!"),
        ("  Jayden  \n", ["Jayden"], "  [name]  \n"),
        ("https://example.com/jo@example.com", [], "[link]"),
    ],
)
def test_overlaps_merge_into_one_label_and_surroundings_stay(text: str, names: list[str], expected: str) -> None:
    result = redact(text, names)
    assert result.text == expected
    spans = [(f.start, f.end) for f in result.findings]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_labels_are_not_redacted_again() -> None:
    once = redact("call 07700 900123 or see Jayden at 12 Oak Lane", ["Jayden", "name", "phone"])
    twice = redact(once.text, ["Jayden", "name", "phone"])
    assert twice.text == once.text
    assert not twice.changed


# ---------------------------------------------------------------------------------------
# The labelled sets: recall per kind and over-redaction, with NO names listed
# ---------------------------------------------------------------------------------------
# tests/data/redaction_heldout.jsonl was written and committed before any tuning and was not
# looked at while tuning; redaction_tuning.jsonl is the other two thirds. The older
# redaction_comments.jsonl stays as a regression set (its names labels include titles,
# "Mrs Patel", so it is scored with the facilitator's list, as it was written for).

_WORD = re.compile(r"\w+")
SETS = {
    "tuning": DATA.with_name("redaction_tuning.jsonl"),
    "heldout": DATA.with_name("redaction_heldout.jsonl"),
}
NEW_KINDS = {"name", "school", "address", "phone", "email", "handle", "case", "nhs", "ni", "dob", "postcode"}


def _occurrences(text: str, span: str) -> list[tuple[int, int]]:
    """Every place ``span`` occurs in ``text`` as whole words (or anywhere, failing that)."""
    before = r"(?<!\w)" if span[0].isalnum() else ""
    after = r"(?!\w)" if span[-1].isalnum() else ""
    hits = [m.span() for m in re.finditer(before + re.escape(span) + after, text)]
    return hits or [m.span() for m in re.finditer(re.escape(span), text)]


def _load(path: Path = DATA) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _score(rows: list[dict[str, object]], use_list: bool) -> tuple[dict[str, list[int]], int, int]:
    """(per kind [hidden, planted], other words hidden, other words). A planted detail
    counts as hidden only if every character of it is inside a finding."""
    per_kind: dict[str, list[int]] = {}
    ordinary = wrongly_redacted = 0
    for row in rows:
        text = str(row["text"])
        names = [str(n) for n in row["names"]] if use_list else []  # type: ignore[attr-defined]
        result = Redactor(names).redact(text)
        covered = [False] * len(text)
        for f in result.findings:
            covered[f.start : f.end] = [True] * (f.end - f.start)
        in_span = [False] * len(text)
        for span in row["spans"]:  # type: ignore[attr-defined]
            places = _occurrences(text, span["text"])
            assert places, span
            for start, end in places:
                in_span[start:end] = [True] * (end - start)
                counts = per_kind.setdefault(span["kind"], [0, 0])
                counts[0] += all(covered[start:end])
                counts[1] += 1
        for m in _WORD.finditer(text):
            if not any(in_span[m.start() : m.end()]):
                ordinary += 1
                wrongly_redacted += any(covered[m.start() : m.end()])
    return per_kind, wrongly_redacted, ordinary


def _check_targets(name: str, use_list: bool, overall: float, each: float, over_max: float) -> None:
    per_kind, over, ordinary = _score(_load(SETS[name]), use_list)
    hidden = sum(v[0] for v in per_kind.values())
    planted = sum(v[1] for v in per_kind.values())
    report = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(per_kind.items()))
    print(
        f"\n{name} ({'with' if use_list else 'no'} list): {hidden}/{planted} hidden; {report}; over {over}/{ordinary}"
    )
    assert hidden / planted >= overall, report
    assert all(v[0] / v[1] >= each for v in per_kind.values()), report
    assert over / ordinary <= over_max, (over, ordinary)


@pytest.mark.parametrize("name", ["tuning", "heldout"])
def test_labelled_sets_are_well_formed(name: str) -> None:
    rows = _load(SETS[name])
    assert len(rows) >= {"tuning": 280, "heldout": 140}[name]
    for row in rows:
        assert set(row) == {"text", "names", "spans"}
        assert isinstance(row["text"], str) and row["text"]
        for span in row["spans"]:  # type: ignore[attr-defined]
            assert span["kind"] in NEW_KINDS, span
            assert span["text"] in row["text"], span
    assert sum(not row["spans"] for row in rows) >= len(rows) // 5  # many comments with no detail


def test_the_whole_set_has_400_comments_and_30_details_of_each_kind() -> None:
    rows = _load(SETS["tuning"]) + _load(SETS["heldout"])
    assert len(rows) >= 400
    per_kind: dict[str, int] = {}
    for row in rows:
        for span in row["spans"]:  # type: ignore[attr-defined]
            per_kind[span["kind"]] = per_kind.get(span["kind"], 0) + 1
    assert set(per_kind) == NEW_KINDS
    assert all(n >= 30 for n in per_kind.values()), per_kind
    # The held-out set (written first) is over a quarter of the whole, and has every kind.
    heldout = _load(SETS["heldout"])
    assert 0.25 <= len(heldout) / len(rows) <= 0.4  # the tuning set grew while tuning
    assert {s["kind"] for r in heldout for s in r["spans"]} == NEW_KINDS  # type: ignore[attr-defined]


@pytest.mark.parametrize("use_list", [False, True], ids=["no-list", "with-list"])
def test_targets_on_the_tuning_set(use_list: bool) -> None:
    _check_targets("tuning", use_list, overall=0.95, each=0.90, over_max=0.01)


@pytest.mark.parametrize("use_list", [False, True], ids=["no-list", "with-list"])
def test_targets_on_the_held_out_set(use_list: bool) -> None:
    _check_targets("heldout", use_list, overall=HELDOUT_OVERALL, each=HELDOUT_EACH, over_max=0.01)


def test_old_regression_set_with_the_list() -> None:
    per_kind, over, ordinary = _score(_load(DATA), use_list=True)
    hidden = sum(v[0] for v in per_kind.values())
    planted = sum(v[1] for v in per_kind.values())
    assert hidden / planted >= 0.95
    assert over / ordinary <= 0.02


def test_old_regression_set_without_the_list() -> None:
    # Its name labels include titles ("Mrs Patel") while the redactor keeps "Mrs" visible,
    # so names are scored less strictly here: everything else must be hidden as before.
    per_kind, over, ordinary = _score(_load(DATA), use_list=False)
    others = [v for k, v in per_kind.items() if k != "name"]
    assert sum(v[0] for v in others) / sum(v[1] for v in others) >= 0.98
    assert per_kind["name"][0] / per_kind["name"][1] >= 0.8
    assert over / ordinary <= 0.01


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------

_ORDINARY_TEXT = (
    "the social worker said my son was high risk but nobody explained why , . ! ? "
    "I think a computer should never decide about families in care 7 out of 20 2019 "
    "school primary March court family Road Lane Academy St the to on at lives"
)
_ORDINARY = st.sampled_from(_ORDINARY_TEXT.split())
_DETAILS = st.one_of(
    st.integers(0, 999).map(lambda n: f"07700 900{n:03d}"),
    st.integers(0, 999).map(lambda n: f"0113 496 0{n:03d}"),
    st.integers(0, 999).map(lambda n: f"+44 20 7946 0{n:03d}"),
    st.sampled_from(["jo@example.com", "k.smith@example.org", "www.example.org/x", "example.co.uk"]),
    st.sampled_from(["LS1 4AB", "M14 5RG", "sw1a1aa", "B12 9QT"]),
    st.sampled_from(["943 476 5919", "4505577104", "401 023 2137"]),
    st.sampled_from(["QQ 12 34 56 C", "AB123456C", "JK 46 71 23 B"]),
    st.sampled_from(["12/03/2015", "3rd March 2015", "March 12 2015", "1-2-13"]),
    st.sampled_from(["12 Oak Lane", "flat 3, 45 Mill Road", "8 Kestrel Close"]),
    st.sampled_from(["St Mary's Primary", "Oakfield Academy", "Riverside High School"]),
    st.sampled_from(["Jayden", "jayden's", "Mrs Patel", "Kacey", "Leon Smith"]),
    st.sampled_from(["@lil_deano_09", "kayz.x.2010", "CS-2023-04417", "ZW21C00412", "ysgol y wern"]),
    st.sampled_from(["kerry at hotmail dot com", "oh seven seven double oh nine double oh three one eight"]),
    st.sampled_from(["my son tyler", "Priya", "harpreet", "cathays high", "gurnos estate", "Heol y Felin"]),
)
_PROPERTY_NAMES = ["Jayden", "Kacey", "Mrs Patel", "Leon Smith", "Oak Lane"]


def _check_invariants(text: str, result: Redacted) -> None:
    pos = 0
    rebuilt: list[str] = []
    for f in result.findings:
        assert f.kind in KINDS
        assert pos <= f.start < f.end <= len(text)
        rebuilt += [text[pos : f.start], KINDS[f.kind]]
        pos = f.end
    rebuilt.append(text[pos:])
    assert result.text == "".join(rebuilt)
    assert result.changed == bool(result.findings)
    assert sum(result.counts().values()) == len(result.findings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises_and_results_are_consistent(text: str) -> None:
    result = redact(text, _PROPERTY_NAMES)
    _check_invariants(text, result)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789 +()-./@:abcLSQ", max_size=60),
)
def test_digit_soup_never_raises(text: str) -> None:
    _check_invariants(text, redact(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_ORDINARY, _DETAILS), min_size=1, max_size=25), st.sampled_from([" ", "  ", ", ", "\n"]))
def test_found_details_are_gone_and_redaction_is_idempotent(parts: list[str], sep: str) -> None:
    text = sep.join(parts)
    redactor = Redactor(_PROPERTY_NAMES)
    result = redactor.redact(text)
    _check_invariants(text, result)
    for f in result.findings:
        original = text[f.start : f.end]
        before = r"(?<!\w)" if original[0].isalnum() else ""
        after = r"(?!\w)" if original[-1].isalnum() else ""
        assert not re.search(before + re.escape(original) + after, result.text), (original, result.text)
    again = redactor.redact(result.text)
    assert again.text == result.text
    assert not again.changed


# ---------------------------------------------------------------------------------------
# Found with NO list: one case per way of writing each kind of detail
# ---------------------------------------------------------------------------------------

NO_LIST: dict[str, list[tuple[str, str]]] = {
    "name": [
        ("my son tyler was excluded", "tyler"),
        ("Mrs Begum rang back", "Begum"),
        ("our social worker called gareth said", "gareth"),
        ("Aaliyah's mum was there", "Aaliyah"),
        ("our Kaz was in care", "Kaz"),
        ("my daughter grace was taken into care", "grace"),
        ("our youngest, Will, is on the list", "Will"),
        ("Rhys and Cerys have EHCPs", "Rhys"),
        ("Rhys and Cerys have EHCPs", "Cerys"),
        ("harpreet and me went", "harpreet"),
        ("Kwame Mensah, parent", "Kwame Mensah"),
        ("Kayden-Lee is 6", "Kayden-Lee"),
        ("mae fy mab Osian yn hapus", "Osian"),
        ("Siân from early help listened", "Siân"),
        ("Connors dad was never asked", "Connors"),
    ],
    "school": [
        ("he goes to ysgol gymraeg bro eirwg and they", "ysgol gymraeg bro eirwg"),
        ("cathays high were useless", "cathays high"),
        ("she started at little acorns nursery", "little acorns nursery"),
        ("my kids go to st teilos, the church school", "st teilos"),
        ("St Joseph's RC Primary called them", "St Joseph's RC Primary"),
    ],
    "address": [
        ("they came to 14 Clive Road at 8", "14 Clive Road"),
        ("we are at 3 Heol y Felin now", "3 Heol y Felin"),
        ("we live on the gurnos estate", "gurnos estate"),
        ("the flats on kingsway are damp", "kingsway"),
        ("the hostel on windsor road", "windsor road"),
    ],
    "phone": [
        (
            "ring oh seven seven double oh nine double oh three one eight",
            "oh seven seven double oh nine double oh three one eight",
        ),
        ("my number is O7911 123 456", "O7911 123 456"),
        ("call 0 7 7 0 0 9 0 0 3 3 3", "0 7 7 0 0 9 0 0 3 3 3"),
        ("+44 7700 900 877 is my work mobile", "+44 7700 900 877"),
        ("mob 0771 09OO 6 37", "0771 09OO 6 37"),
    ],
    "email": [
        ("kerry.evans84 at hotmail dot co dot uk", "kerry.evans84 at hotmail dot co dot uk"),
        ("email me shaz_1983 @ yahoo . com", "shaz_1983 @ yahoo . com"),
        ("nanaofsix(at)aol(dot)com", "nanaofsix(at)aol(dot)com"),
        ("my email is tasha b at gmail dot com", "tasha b at gmail dot com"),
    ],
    "handle": [
        ("his insta is @lil_deano_09", "@lil_deano_09"),
        ("she's on tiktok as kayz.x.2010", "kayz.x.2010"),
        ("snap me kayla_xx_11", "kayla_xx_11"),
    ],
    "case": [
        ("our case number is CS-2023-04417", "CS-2023-04417"),
        ("my ref is 4471823 on the letter", "4471823"),
        ("court number ZW21C00412", "ZW21C00412"),
        ("case no 2023/CIN/00871", "2023/CIN/00871"),
    ],
    "nhs": [("nhs number 123 456 7890", "123 456 7890"), ("NHS: 943 476 5919", "943 476 5919")],
    "ni": [("my NI number is QQ 12 34 56 C", "QQ 12 34 56 C"), ("ni jk123456a", "jk123456a")],
    "dob": [
        ("born on the 5th of march 2015", "5th of march 2015"),
        ("born jan 2020", "jan 2020"),
        ("dob 3 3 2014", "3 3 2014"),
    ],
    "postcode": [("cf479bq is where we are", "cf479bq"), ("postcode ls9 6qt", "ls9 6qt")],
}


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [(kind, text, expected) for kind, cases in NO_LIST.items() for text, expected in cases],
)
def test_found_without_any_list(kind: str, text: str, expected: str) -> None:
    result = Redactor().redact(text)
    assert (kind, expected) in [(f.kind, text[f.start : f.end]) for f in result.findings], result
    assert expected not in result.text


EVERYDAY = [
    "i will say this once, the system only listens when you shout",
    "mark my words this will be used to cut services",
    "by the grace of god we got through the court bit",
    "i hope they test it properly",
    "referrals rose after covid",
    "it may be useful but who pays the bill",
    "could a family sue the council",
    "to be frank i dont trust the council",
    "we had no joy getting CAMHS to see our eldest",
    "i lost all faith in the system",
    "the summer holidays are the worst time",
    "some days i just want to jack it all in",
    "NSPCC and Barnardos should be in the room, and Ofsted",
    "family court used a report with lies in it",
    "Frontline social workers move on so quick",
    "The Family Court and the council never listened",
    "dawn raids by the police with the kids watching",
    "Will it be used on every family?",
    "Mark the bits that are guesses",
    "diolch am y cyfle i siarad, mae hyn yn bwysig i ni fel teulu",
    "the early help hub is brilliant",
    "Childline 0800 1111 is free",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_words_that_are_also_names_survive(text: str) -> None:
    assert Redactor().redact(text).findings == ()


# ---------------------------------------------------------------------------------------
# Normalisation: tricks that used to carry a detail past the redactor
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail", "kind"),
    [
        ("ring 077\u200b00 900\u200c123", "077\u200b00 900\u200c123", "phone"),  # zero-width inside a phone
        ("my son J\u0430yden is 9", "J\u0430yden", "name"),  # Cyrillic а in a name
        (
            "ring \uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13",
            "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13",
            "phone",
        ),  # full-width digits
        ("e-mail j\u043e@example.com", "j\u043e@example.com", "email"),  # Cyrillic о
        ("NHS 943\u2060476\u20605919", "943\u2060476\u20605919", "nhs"),
        ("postcode ＣＦ２４ ３ＡＡ", "ＣＦ２４ ３ＡＡ", "postcode"),
        ("Mrs Beg\u200bum said", "Beg\u200bum", "name"),
    ],
)
def test_normalisation_tricks_do_not_get_through(text: str, detail: str, kind: str) -> None:
    result = Redactor().redact(text)
    assert (kind, detail) in [(f.kind, text[f.start : f.end]) for f in result.findings], result
    assert KINDS[kind] in result.text


def test_only_found_spans_change_and_other_scripts_stay_as_written() -> None:
    text = "Siân said: 077\u200b00 900123 — діти, café, 子供"
    result = Redactor().redact(text)
    assert result.text == "[name] said: [phone] — діти, café, 子供"


# ---------------------------------------------------------------------------------------
# Budgets: the redactor sits on the answer path
# ---------------------------------------------------------------------------------------


def test_median_time_for_a_300_character_comment_is_under_2ms() -> None:
    import statistics
    import time

    rows = _load(SETS["tuning"])
    joined = " ".join(str(r["text"]) for r in rows)
    samples = [joined[i : i + 300] for i in range(0, len(joined) - 300, 300)][:150]
    redactor = Redactor()
    for s in samples:
        redactor.redact(s)
    # CPU time of this thread, so that other processes on a busy machine do not count.
    times = []
    for s in samples:
        t0 = time.thread_time()
        redactor.redact(s)
        times.append(time.thread_time() - t0)
    assert statistics.median(times) < 0.002, statistics.median(times)


def test_loading_the_gazetteers_takes_well_under_200_mb() -> None:
    import tracemalloc

    from workshop.domain.redaction.lexicon import Lexicon

    tracemalloc.start()
    try:
        lex = Lexicon()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(lex.first) > 30_000 and len(lex.surnames) > 30_000
    assert peak < 200 * 2**20, peak


@pytest.mark.parametrize(
    "text",
    ["a." * 2000, "x at y dot " * 400, "1 " * 2000, "my son my son " * 300, "ab-12/cd 34 " * 400, "a_b.c@d " * 500]
    + ["heol y " * 700, "oh seven " * 500, "ref " * 1000 + "1", "little " * 600 + "nursery"],
    ids=lambda t: t[:12],
)
def test_long_odd_input_is_screened_quickly(text: str) -> None:
    import time

    t0 = time.thread_time()
    result = Redactor(["Jayden"]).redact(text)
    assert time.thread_time() - t0 < 1.0  # about 4,000 characters: no runaway pattern
    _check_invariants(text, result)
