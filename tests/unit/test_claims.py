"""Every sentence the product says about privacy is registered, still said, and tested.

``docs/claims.toml`` maps each claim (welcome page, receipt and withdrawal pages, the paper
form, the report's sections on anonymity and small groups, the packs, the safeguarding message,
``docs/privacy.md``) to the tests that make it true. These tests read those files as text
(``tests.support.claims``) and fail when a sentence that sounds like a promise is not in the
registry, when a registered sentence has gone or moved, or when a named test does not exist.
``tests/integration/test_claims_pages.py`` checks the same sentences on the rendered pages.
"""

from __future__ import annotations

import re

import pytest

from tests.support import claims as cl

REGISTRY = cl.load()
SOURCES = cl.sources()


def unregistered(registry: cl.Registry, sources: dict[str, list[str]]) -> list[str]:
    """Candidate sentences that no claim (for that file) contains and that are not ordinary."""
    found = []
    for where, blocks in sources.items():
        claims = [c.text for c in registry.claims if where in c.where]
        ordinary = registry.ordinary.get(where, ())
        for block in blocks:
            for sentence in cl.sentences(block):
                if not cl.is_candidate(sentence) or sentence in ordinary:
                    continue
                if not any(sentence in text and cl.contains(blocks, text) for text in claims):
                    found.append(f"{where}: {sentence!r}")
    return found


def misplaced(registry: cl.Registry, sources: dict[str, list[str]]) -> list[str]:
    """Claims whose ``where`` is not exactly the set of files that say them."""
    wrong = []
    for claim in registry.claims:
        said = {where for where, blocks in sources.items() if cl.contains(blocks, claim.text)}
        if said != set(claim.where):
            gone, unlisted = sorted(set(claim.where) - said), sorted(said - set(claim.where))
            wrong.append(f"{claim.id}: not in {gone}, but also in {unlisted}")
    return wrong


def test_every_source_was_read() -> None:
    assert len(SOURCES) >= 20
    for where, blocks in SOURCES.items():
        if where.startswith(("templates/participant/", "prompts/packs/")) and where.endswith(
            ("welcome.html", "receipt.html", "outcome.html", "withdrawn.html", ".yaml")
        ):
            assert len(blocks) >= 2, where
    report = " ".join(SOURCES["templates/exports/_report_body.html"])
    for heading in ("Who took part", "Anonymity", "Small groups", "Taking answers back", "Keeping raw answers"):
        assert heading in report
    assert "Scores" not in report and "Positions: can people live with each idea?" not in report  # results left out
    assert any("What we never collect" in b or "No names, emails" in b for b in SOURCES["docs/privacy.md"])
    assert any("Thank you for telling us." in b for b in SOURCES["prompts/safeguarding.yaml"])


def test_every_candidate_sentence_is_registered() -> None:
    missing = unregistered(REGISTRY, SOURCES)
    assert not missing, (
        "these sentences sound like promises but are not in docs/claims.toml (add a [[claim]] "
        "with its tests, or list them under [ordinary] if they promise nothing):\n" + "\n".join(missing)
    )


def test_every_claim_is_where_it_says() -> None:
    wrong = misplaced(REGISTRY, SOURCES)
    assert not wrong, "docs/claims.toml no longer matches the product:\n" + "\n".join(wrong)


def test_ordinary_sentences_are_still_said() -> None:
    stale = [
        f"{where}: {sentence!r}"
        for where, sentences in REGISTRY.ordinary.items()
        for sentence in sentences
        if where not in SOURCES or not cl.contains(SOURCES[where], sentence)
    ]
    assert not stale, "remove these from [ordinary] in docs/claims.toml:\n" + "\n".join(stale)


def test_every_claim_names_tests_that_exist() -> None:
    defined: dict[str, set[str]] = {}
    missing = []
    for claim in REGISTRY.claims:
        assert claim.tests, f"{claim.id} names no test"
        for node in claim.tests:
            path, _, name = node.partition("::")
            name = re.sub(r"\[.*\]$", "", name)
            file = cl.ROOT / path
            if not (path.startswith("tests/") and file.is_file() and name):
                missing.append(f"{claim.id}: {node}")
                continue
            if path not in defined:
                defined[path] = cl.test_functions(file)
            if name not in defined[path]:
                missing.append(f"{claim.id}: {node}")
    assert not missing, "these tests do not exist:\n" + "\n".join(missing)


def test_ids_are_unique_and_gaps_name_the_work_that_fixes_them() -> None:
    ids = [c.id for c in REGISTRY.claims]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids), ids
    for claim in REGISTRY.claims:
        if claim.gap:
            assert re.search(r"\bh-[a-z]+\b|\bissue \d+|flask purge", claim.gap), claim.id


@pytest.mark.parametrize(
    ("where", "sentence"),
    [
        ("templates/participant/welcome.html", "We never keep your name."),
        ("prompts/packs/three-tier.yaml", "Only the host sees your answers."),
        ("docs/privacy.md", "Comments are deleted after a week."),
    ],
)
def test_a_new_promise_is_caught(where: str, sentence: str) -> None:
    sources = {k: list(v) for k, v in SOURCES.items()}
    sources[where].append(sentence)
    assert unregistered(REGISTRY, sources) == [f"{where}: {sentence!r}"]


def test_a_claim_that_is_reworded_or_copied_is_caught() -> None:
    claim = next(c for c in REGISTRY.claims if c.id == "receipt-only-you")
    sources = {k: list(v) for k, v in SOURCES.items()}
    where = claim.where[0]
    sources[where] = [b.replace("Nobody else has this code.", "Only you have this code.") for b in sources[where]]
    assert any(m.startswith("receipt-only-you:") for m in misplaced(REGISTRY, sources))
    assert f"{where}: 'Only you have this code.'" in unregistered(REGISTRY, sources)
    sources = {k: list(v) for k, v in SOURCES.items()}
    sources["templates/participant/home.html"].append(claim.text)
    assert misplaced(REGISTRY, sources) == [
        "receipt-only-you: not in [], but also in ['templates/participant/home.html']"
    ]


def test_the_net_splits_sentences_and_reads_templates_as_shown() -> None:
    assert cl.sentences("You do not give your name. Nobody can see who said what.") == [
        "You do not give your name.",
        "Nobody can see who said what.",
    ]
    assert cl.is_candidate("Nobody can see who said what.")
    assert not cl.is_candidate("Choose all that apply.")
    report = SOURCES["templates/exports/_report_body.html"]
    assert cl.contains(report, "No role, workshop or other group of fewer than {k} people is shown on its own.")
