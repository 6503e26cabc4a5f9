"""Spotting possible disclosures of harm (workshop.domain.safeguarding, prompts/safeguarding.yaml)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.domain.safeguarding import (
    FACILITATOR_CATEGORY,
    Rule,
    SafeguardingChecker,
    SafeguardingResult,
    normalise,
    parse_rules,
    phrase_pattern,
    rules_from_phrases,
)

RULES_FILE = Path(__file__).resolve().parents[2] / "prompts" / "safeguarding.yaml"


def _shipped() -> dict[str, Any]:
    with RULES_FILE.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict)
    return data


SHIPPED = _shipped()
RULES = parse_rules(SHIPPED)
CHECKER = SafeguardingChecker(RULES)


# ---------------------------------------------------------------------------------------
# The shipped rules file
# ---------------------------------------------------------------------------------------


def test_shipped_file_parses_and_has_the_expected_categories() -> None:
    assert SHIPPED["version"] == 1
    assert len(RULES) > 100
    assert all(isinstance(r, Rule) for r in RULES)
    assert set(CHECKER.categories) >= {
        "physical harm",
        "sexual harm",
        "neglect",
        "self-harm or suicide",
        "domestic abuse",
        "immediate danger",
        "exploitation",
    }


def test_shipped_guidance_and_participant_message_say_what_they_must() -> None:
    guidance = SHIPPED["guidance"]
    message = SHIPPED["participant_message"]
    for needed in ("safeguarding", "999", "0808 800 5000", "0800 1111", "116 123", "lead", "time"):
        assert needed in guidance, needed
    assert "question the room" in guidance.lower() or "do not question" in guidance.lower()
    for needed in ("Thank you", "not been shown", "999", "0800 1111", "0808 800 5000", "116 123"):
        assert needed in message, needed


def test_shipped_file_has_no_apostrophes_in_patterns() -> None:
    for entry in SHIPPED["categories"]:
        for pattern in entry.get("patterns", []):
            assert "'" not in pattern and "’" not in pattern, pattern


# ---------------------------------------------------------------------------------------
# Disclosures that must be flagged, with the category that must be among those found
# ---------------------------------------------------------------------------------------

DISCLOSURES: list[tuple[str, str]] = [
    # the brief's own examples
    ("my dad hits me", "physical harm"),
    ("he touched me", "sexual harm"),
    ("I want to kill myself", "self-harm or suicide"),
    ("she leaves the kids alone for days with no food", "neglect"),
    ("my partner hurts me", "domestic abuse"),
    ("they make me carry drugs", "exploitation"),
    # physical harm
    ("My dad hit me with a belt last night", "physical harm"),
    ("he's hit me before", "physical harm"),
    ("He Hits Me", "physical harm"),
    ("my stepdad beat me up", "physical harm"),
    ("i get hit at home", "physical harm"),
    ("my brother punches me all the time", "physical harm"),
    ("me dad batters me when hes had a drink", "physical harm"),
    ("my step dad smacks my little brother really hard", "physical harm"),
    ("mums new fella hit me last week and she didnt do anything", "physical harm"),
    ("he grabbed me by the throat", "physical harm"),
    ("my foster carer slapped me", "physical harm"),
    ("they lock me in my room", "physical harm"),
    ("there are bruises on his arms", "physical harm"),
    ("she slaps the baby", "physical harm"),
    ("dad gets really violent when he drinks", "physical harm"),
    ("he punched a hole in the wall next to my head", "physical harm"),
    ("she pushed me down the stairs", "physical harm"),
    ("my brother hurts me when mum isnt looking", "physical harm"),
    ("mum hits us with the hoover cable", "physical harm"),
    ("he burnt me with a cigarette", "physical harm"),
    # sexual harm
    ("my uncle touches me", "sexual harm"),
    ("he makes me touch him", "sexual harm"),
    ("i was raped", "sexual harm"),
    ("he gets into my bed at night", "sexual harm"),
    ("i was sexually abused as a child by my uncle", "sexual harm"),
    ("my step brother touched me when i was little", "sexual harm"),
    ("grandad touches me and says its our secret", "sexual harm"),
    ("my uncle made me do stuff i didnt want to", "sexual harm"),
    ("my mums boyfriend comes in my room at night", "sexual harm"),
    ("he sends me pics of his privates", "sexual harm"),
    ("an older boy asked me for nudes", "sexual harm"),
    ("my boyfriend asked me to send nudes", "sexual harm"),
    # neglect
    ("my mum is always drunk and we have nothing to eat", "neglect"),
    ("nobody looks after us", "neglect"),
    ("we go to bed hungry most nights", "neglect"),
    ("Mum leaves me home alone all weekend", "neglect"),
    ("we get no food most days", "neglect"),
    ("my little sister is always hungry and mum spends the money on drink", "neglect"),
    ("mum is passed out drunk most nights and i look after the baby", "neglect"),
    ("my mum takes drugs and leaves us on our own", "neglect"),
    ("we havent eaten since yesterday", "neglect"),
    ("i have to look after my brothers cos mum is never home", "neglect"),
    # self-harm or suicide
    ("I have been self harming", "self-harm or suicide"),
    ("i cut myself", "self-harm or suicide"),
    ("my daughter self harms", "self-harm or suicide"),
    ("I feel suicidal", "self-harm or suicide"),
    ("i dont want to be alive anymore", "self-harm or suicide"),
    ("I don’t want to be alive anymore", "self-harm or suicide"),
    ("i want to die", "self-harm or suicide"),
    ("honestly i just want to die", "self-harm or suicide"),
    ("i feel like killing myself", "self-harm or suicide"),
    ("thinking of ending my life", "self-harm or suicide"),
    ("i sometimes think about ending it", "self-harm or suicide"),
    ("ive been cutting again", "self-harm or suicide"),
    ("my daughter is self harming and cahms wont see her", "self-harm or suicide"),
    ("i took too many pills last week", "self-harm or suicide"),
    ("i tried to hang myself", "self-harm or suicide"),
    ("I WANT TO KILL MYSELF", "self-harm or suicide"),
    # domestic abuse
    ("mum's boyfriend hits her", "domestic abuse"),
    ("dad hits mum when he's drunk", "domestic abuse"),
    ("he checks my phone and controls my money", "domestic abuse"),
    ("my husband wont let me see my family", "domestic abuse"),
    ("I'm living with domestic abuse", "domestic abuse"),
    ("we fled to a refuge", "domestic abuse"),
    ("my partner is really controlling", "domestic abuse"),
    ("my ex strangled me", "domestic abuse"),
    ("my boyfriend hits me but says sorry after", "domestic abuse"),
    ("my husband controls all the money and wont let me work", "domestic abuse"),
    # immediate danger
    ("im not safe at home", "immediate danger"),
    ("I'm scared to go home tonight", "immediate danger"),
    ("he said he's going to kill me", "immediate danger"),
    ("he threatened me with a knife", "immediate danger"),
    ("someone help me please", "immediate danger"),
    ("i dont feel safe at home", "immediate danger"),
    ("i dont want to go home tonight", "immediate danger"),
    ("he says if i leave he'll kill me", "immediate danger"),
    ("my ex threatened to kill me", "immediate danger"),
    ("i need help now please", "immediate danger"),
    ("please help me he is outside", "immediate danger"),
    ("my mum kicked me out and im sleeping on a mates sofa", "neglect"),
    # exploitation
    ("an older man buys me stuff and picks me up from school", "exploitation"),
    ("my son keeps going missing for days", "exploitation"),
    ("i owe dealers money", "exploitation"),
    ("my son is involved in county lines", "exploitation"),
    ("my daughter was groomed", "exploitation"),
    ("they used me to sell drugs", "exploitation"),
    ("they give me weed and make me sell it", "exploitation"),
    ("some older lads pay me to drop packages", "exploitation"),
    ("i have to hold stuff for them or they hurt my family", "exploitation"),
    ("my daughter is staying out all night with older men", "exploitation"),
    ("my son has been going missing and coming back with new trainers", "exploitation"),
    ("im being groomed online i think", "exploitation"),
    # emotional harm
    ("she calls me worthless", "emotional harm"),
    ("I'm scared of my dad", "emotional harm"),
    ("my dad shouts at me every day and calls me useless", "emotional harm"),
    ("im terrified of my stepdad", "emotional harm"),
    ("i was abused by my dad", "emotional harm"),
]


# Indirect disclosures, first written as held-out checks (see the module notes): flagged,
# whatever the category.
MORE_DISCLOSURES = [
    "when dad drinks he gets nasty and hits whoever is nearest",
    "my stepmum makes me sleep in the garden shed when im bad",
    "my little brother has marks all over his back from the belt",
    "i get smacked round the head if i dont do my chores",
    "mum doesnt feed us properly, we eat cereal for tea every night",
    "theres never any food in the house",
    "my mum doesnt come home some nights",
    "she hasnt taken my sister to the doctor even though shes really ill",
    "i keep thinking everyone would be better off without me",
    "i dont see the point in anything anymore",
    "i hurt myself when things get bad",
    "last night i took a whole packet of paracetamol",
    "i want to end it",
    "my friends brother touches me and says nobody will believe me",
    "he made me take my clothes off",
    "my mums friend sends me messages saying im sexy and to keep it secret",
    "a man online wants to meet me and says not to tell my mum",
    "my husband raped me",
    "my ex follows me everywhere and turns up at the school gates",
    "he said he would burn the house down with us in it",
    "he has a gun in the house and says he will use it",
    "im scared hes going to find us",
    "these lads make me run packages for them and say they will hurt my mum if i stop",
    "i have to go to houses in other towns and drop stuff off",
    "my son comes home with loads of cash and new phones and wont say where from",
    "my 14 year old daughter has a 25 year old boyfriend",
    "i was made to steal for them",
    "they beat me if i dont bring the money back",
    "my dad threatens to put me in care if i tell anyone what happens at home",
    "my mum's boyfriend is rough with us when she's at work",
    "i got a black eye from my dad but told school i fell over",
    "my nan hits me with a slipper",
    "dad throws things when hes angry and one hit my sister",
    "we're not allowed to eat until dad gets home and sometimes he doesnt come back",
    "the kids have head lice and no clean clothes and mum doesnt care",
    "my sister is 12 and looks after us all because mum is out of it",
    "i cut my arms so no one sees",
    "i wrote a goodbye letter to my mum",
    "i've been planning how to do it",
    "sometimes i just want to disappear forever",
    "my coach makes me stay behind and touches my legs",
    "he keeps sending me photos of himself with no clothes on",
    "my stepdad watches me in the shower",
    "my sister's boyfriend tried to kiss me and put his hand up my top",
    "my husband says no one will believe me because im mental",
    "he took the kids passports and says ill never see them again",
    "my partner strangles me during arguments",
    "i'm hiding in the bathroom, he's going mental downstairs",
    "he just smashed the door in and im scared",
    "my son is carrying a knife for protection",
    "my daughter has a new phone that she says a friend gave her and she's out every night",
    "these older girls make my son hold their stuff and he's too scared to say no",
    "i got jumped and they said i owe them now",
    "im only 15 and i have a 30 year old boyfriend",
    "my dad calls me a waste of space every day",
    "mum says she wishes she never had me",
    "i got locked out all night in the rain",
    "my little brother is 4 and gets left in charge of the baby",
    "my carer takes my money and doesnt give me food",
]


@pytest.mark.parametrize("text", MORE_DISCLOSURES)
def test_indirect_disclosures_are_flagged(text: str) -> None:
    assert CHECKER.check(text).flagged, text


@pytest.mark.parametrize(("text", "category"), DISCLOSURES)
def test_disclosures_are_flagged(text: str, category: str) -> None:
    result = CHECKER.check(text)
    assert result.flagged, text
    assert category in result.categories, result.categories


def test_several_kinds_at_once_are_all_reported_sorted_and_distinct() -> None:
    result = CHECKER.check("my dad hits me and says im worthless, i want to die. he hit me again.")
    assert result.flagged
    assert {"physical harm", "emotional harm", "self-harm or suicide"} <= set(result.categories)
    assert list(result.categories) == sorted(set(result.categories))


# ---------------------------------------------------------------------------------------
# General talk about policy and practice must not be flagged
# ---------------------------------------------------------------------------------------

NOT_DISCLOSURES = [
    "the tool might harm families",
    "risk of abuse is hard to predict",
    "child protection plan",
    "my son was on a child protection plan for neglect two years ago",
    "neglect is often linked to poverty",
    "domestic abuse cases are rising",
    "families experiencing domestic abuse need support",
    "self-harm data should not be used",
    "suicide rates among care leavers are high",
    "young people who self-harm need help not scores",
    "the cuts hit us hard",
    "it really hit me how unfair it is",
    "the algorithm hurts poor families",
    "county lines exploitation is a big issue for practitioners",
    "children who go missing from care are at risk",
    "sexual abuse is under-reported",
    "the model predicts physical abuse",
    "I don't feel safe sharing my data with a computer",
    "families are in danger of being labelled",
    "please help us understand how it works",
    "my brother beat me at fifa",
    "my file went missing",
    "I would die for my kids",
    "I'm dying to know the results",
    "this process is killing me",
    "the social worker said my mum was high risk",
    "they were high risk according to the score",
    "we had no heating because of the cost of living",
    "I'm scared of them taking my kids",
    "the tool flagged domestic violence in our records",
    "I think grooming is hard to spot from data",
    "It hurts me to see families treated like this",
    "She was really hurt by what the report said",
    "he never hits me, he's a good dad",
    "my dad would never hurt me",
    "the council threatened to take my kids",
    "Im scared of social workers",
    "abusive relationships are complex",
    "the score was 7 out of 20",
    "we were left alone by services for months",
    "Im worried the tool will hurt families who are already struggling",
    "The council hit us with a massive fine",
    "Risk scores for neglect and physical abuse are often wrong",
    "The model uses domestic violence call outs as a feature",
    "Our team handles sexual abuse referrals",
    "My son got hit by a ball at football",
    "Suicide prevention should be funded properly",
    "The AI might abuse our data",
    "I would kill for a cup of tea right now",
    "They left us alone after the case closed, which was a relief",
    "I dont feel safe with computers making decisions",
    "Nobody looks after the data properly",
    "My son is high needs and the school cant cope",
    "the report was a punch in the gut",
    "its a slap in the face to families",
    "social care is starved of funding",
    "my kids were taken into care in 2019",
    "Please help us make this fair",
    "Help me understand what happens to my data",
    "Childline and the NSPCC should be part of this",
    "as a social worker i see neglect cases every week",
    "the tool scored a family as high risk for physical abuse when there was none",
    "I think the model will miss domestic abuse because it is hidden",
    "im worried about my own mental health since the case started",
    "being investigated made me feel suicidal at times -- no wait, just very low",
    "my daughter was bullied at school and it affected her badly",
    "the parent was accused of hitting the child but it was a football injury",
    "we need more funding for refuges",
    "training on exploitation should include families",
    "my son struggles with anger and punched a wall once but hes getting help",
    "when i was in care i was moved 9 times",
    "the system is abusive to poor families",
    "this whole process has been traumatic",
    "the police came at 3am and scared the kids",
    "losing my kids nearly killed me",
    "they took my baby at birth",
    "my partner and i argue like every couple",
    "the kids are hungry for change",
    "the model keeps hitting the same families",
    "i cried after the meeting",
    "the report said i was a risk to my kids which is nonsense",
    "we should talk about physical harm caused by poverty",
    "i think the model would hit the poorest families",
    "social workers are overworked and it hurts everyone",
    "my daughter fell over and broke her arm and they thought we did it",
    "the black box nature of this is worrying",
    "knife crime data shouldnt be used to score kids",
    "i got a letter saying my case was closed",
    "we used to fight a lot as a family but now we talk",
    "i dont want to give my data to anyone",
    "the workers left us to fend for ourselves after the assessment",
    "my son had a meltdown at school and kicked a chair",
    "the judge said the threshold for harm was met but i disagree",
    "i am angry about how we were treated",
    "my kids love their dad even though we split up",
    "social services made my son feel like a criminal",
    "older siblings often look after younger ones in big families",
    "the model made us feel like suspects",
    "nobody explained anything to us",
    "we were scared of losing the kids",
    "If the model says a family is high risk, who checks it before anyone knocks on the door?",
    "My worry is that the algorithm will learn that poor families are dangerous",
    "As a foster carer I'd like a tool that tells me about a child's triggers before they arrive",
    "we were told the system flagged us because of an old police callout from when my ex lived here",
    "Practitioners should be able to say no to the score without getting in trouble",
    "I was a young carer for my mum and nobody noticed, maybe a tool would have",
    "The school nurse noticed my son's weight loss, not a computer",
    "Can the model tell the difference between a parent who is struggling and one who is dangerous?",
    "We had a social worker who was scared of our dog and wrote that we were hostile",
    "The data about my son's ADHD medication was shared with the council without asking",
    "I think it could help find children who go missing from school",
    "Our manager wants to use it to decide which referrals get a visit within 24 hours",
    "My daughter has been through a lot and I don't want her history in a computer forever",
    "In my experience, families hide things when they think they are being watched",
    "Being labelled as a 'risk' follows you around for years",
    "The assessment said mum was not protective enough, which broke her heart",
    "Young people in care often don't know who has seen their records",
    "The case note summariser missed that dad had been violent in the past",
    "My son was exploited by older boys two years ago and the police were great",
    "It felt like they were looking for reasons to take my kids",
    "Domestic abuse and substance misuse are in the model's features, which worries me",
    "i had a breakdown after my baby was removed and nobody helped",
    "people should be able to ask for the score to be deleted",
    "when my son punched a hole in his own bedroom door we got referred, it was a one-off",
    "the worst part was waiting 6 weeks to hear anything",
    "we have no money for food some weeks but that doesnt make us bad parents",
    "The police came round after a neighbour complained about shouting",
    "Tools like this will make social workers lazy",
    "My husband and I both work nights, the kids stay with nan",
    "Could families see the top reasons the model gave for their score?",
    "The safeguarding lead should see the score",
    "",
]


@pytest.mark.parametrize("text", NOT_DISCLOSURES)
def test_policy_talk_is_not_flagged(text: str) -> None:
    result = CHECKER.check(text)
    assert result == SafeguardingResult(False, ()), (text, result.categories)


def test_the_redaction_data_set_raises_no_alarms() -> None:
    import json

    path = Path(__file__).resolve().parents[1] / "data" / "redaction_comments.jsonl"
    with path.open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    flagged = [t for t in texts if CHECKER.check(t).flagged]
    assert flagged == []


# ---------------------------------------------------------------------------------------
# Facilitator phrases
# ---------------------------------------------------------------------------------------


def test_facilitator_phrases_work_with_word_boundaries_and_any_case() -> None:
    rules = rules_from_phrases(["Uncle Dave", "  ", "", "the blue van"])
    assert [r.pattern for r in rules] == ["Uncle Dave", "the blue van"]
    assert all(r.category == FACILITATOR_CATEGORY and not r.is_regex for r in rules)
    checker = SafeguardingChecker(rules)
    assert checker.check("I don't like it when UNCLE   DAVE visits").categories == (FACILITATOR_CATEGORY,)
    assert checker.check("he has The Blue Van outside again").flagged
    assert not checker.check("uncle davey is nice").flagged
    assert not checker.check("the blue vans are everywhere").flagged


def test_facilitator_phrases_add_to_the_shipped_rules() -> None:
    checker = SafeguardingChecker([*RULES, *rules_from_phrases(["Mr Softee"], category="local concern")])
    assert checker.check("Mr Softee gave me a lift").categories == ("local concern",)
    both = checker.check("Mr Softee hits me")
    assert set(both.categories) == {"local concern", "physical harm"}


@pytest.mark.parametrize(
    ("phrase", "text", "matches"),
    [
        ("don't go home", "I dont go home", True),
        ("don't go home", "I don’t go home", True),
        ("dont go home", "I don't go home", True),
        ("self-harm", "self harm", True),
        ("self-harm", "selfharm", True),
        ("self-harm", "self-harm", True),
        ("a+b (c)", "see a+b (c) now", True),
        ("a+b (c)", "see aab c now", False),
        ("kill", "skill", False),
        ("kill", "killing", False),
    ],
)
def test_phrase_matching(phrase: str, text: str, matches: bool) -> None:
    checker = SafeguardingChecker(rules_from_phrases([phrase]))
    assert checker.check(text).flagged is matches
    assert phrase_pattern(phrase)


# ---------------------------------------------------------------------------------------
# Bad rule files are refused with a message that names the entry
# ---------------------------------------------------------------------------------------


def _one(category: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"version": 1, "categories": [category], **extra}


def test_a_bad_regex_names_the_category_and_pattern() -> None:
    data = {
        "version": 1,
        "categories": [
            {"category": "neglect", "phrases": ["no food"]},
            {"category": "physical harm", "patterns": [r"\bhits\b", r"\b(hits|punches\s+me"]},
        ],
    }
    with pytest.raises(
        ValueError, match=r"category 2 \('physical harm'\), pattern 2 is not a valid regular expression"
    ):
        parse_rules(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"categories": "x"}, "'categories' must be a non-empty list"),
        ({}, "'categories' must be a non-empty list"),
        ({"version": 2, "categories": []}, "version 2 is not supported"),
        (_one({"phrases": ["x y"]}), "category 1 needs a 'category' name"),
        (_one({"category": "  "}), "needs a 'category' name"),
        (_one({"category": "neglect"}), "category 1 \\('neglect'\\) has no phrases or patterns"),
        (_one({"category": "neglect", "phrases": "no food"}), "'phrases' must be a list"),
        (_one({"category": "neglect", "phrases": ["ok", 3]}), "phrase 2 must be non-empty text"),
        (_one({"category": "neglect", "phrases": ["ok", ""]}), "phrase 2 must be non-empty text"),
        (_one({"category": "neglect", "phrases": ["'''"]}), "phrase 1 has nothing to match"),
        (_one({"category": "neglect", "patterns": ["a*"]}), "matches an empty comment"),
        (_one({"category": "neglect", "patterns": ["don't"]}), "contains an apostrophe"),
        (
            _one({"category": "neglect", "patterns": ["{{nope}} x"]}),
            "uses the term \\{\\{nope\\}\\}, which is not defined",
        ),
        (_one({"category": "neglect", "phrases": ["x"], "colour": "red"}), "unknown keys: colour"),
        (_one({"category": "neglect", "phrases": ["x"]}, terms={"a b": "x"}), "term name 'a b'"),
        (_one({"category": "neglect", "phrases": ["x"]}, terms={"t": "(x"}), "the term 't' is not a valid regular"),
        (_one({"category": "neglect", "phrases": ["x"]}, terms={"t": "a{{t}}"}), "the term 't' refers to itself"),
        ({"version": 1, "categories": ["neglect"]}, "category 1 must be a mapping"),
    ],
)
def test_bad_rule_files_are_refused_clearly(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rules(data)


def test_terms_are_expanded_including_terms_inside_terms() -> None:
    data = _one(
        {"category": "physical harm", "patterns": [r"\b{{who}}\s+hits\s+me\b"]},
        terms={"who": r"(?:my\s+)?{{kin}}", "kin": r"(?:dad|mum)"},
    )
    checker = SafeguardingChecker(parse_rules(data))
    assert checker.check("my dad hits me").flagged
    assert checker.check("mum hits me").flagged
    assert not checker.check("my cat hits me").flagged


def test_a_bad_regex_rule_given_directly_to_the_checker_is_refused() -> None:
    with pytest.raises(ValueError, match="rule 1 \\(x\\) is not a valid regular expression"):
        SafeguardingChecker([Rule("x", "(unclosed", True)])


def test_empty_checker_flags_nothing() -> None:
    assert SafeguardingChecker([]).check("my dad hits me") == SafeguardingResult(False, ())
    assert SafeguardingChecker([]).categories == ()


def test_patterns_with_backreferences_and_flags_still_work() -> None:
    checker = SafeguardingChecker([Rule("echo", r"\b(\w+)\s+\1\b", True), Rule("flags", r"(?s)start.end", True)])
    assert checker.check("help help").categories == ("echo",)
    assert checker.check("start\nend").categories == ("flags",)
    assert not checker.check("help me").flagged


def test_normalise_removes_apostrophes_only() -> None:
    assert normalise("don’t ‘quote’ it's") == "dont quote its"


# ---------------------------------------------------------------------------------------
# The pre-check must never change a result: compare with running every rule
# ---------------------------------------------------------------------------------------


def _naive(text: str) -> tuple[str, ...]:
    plain = normalise(text)
    found = set()
    for rule in RULES:
        source = rule.pattern if rule.is_regex else phrase_pattern(rule.pattern)
        if re.search(source, plain, re.IGNORECASE):
            found.add(rule.category)
    return tuple(sorted(found))


_VOCAB = sorted(
    {w for text, _ in DISCLOSURES for w in normalise(text).split()}
    | {w for text in NOT_DISCLOSURES for w in normalise(text).split()}
    | {"İ", "ſ", "K", "’", "-", "\n", "x"}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), max_size=14), st.sampled_from([" ", "  ", "\n"]))
def test_pre_check_is_exact(words: list[str], sep: str) -> None:
    text = sep.join(words)
    assert CHECKER.check(text).categories == _naive(text)


@pytest.mark.parametrize("text", [text for text, _ in DISCLOSURES[:40]] + NOT_DISCLOSURES[:20])
def test_pre_check_is_exact_on_the_examples(text: str) -> None:
    assert CHECKER.check(text).categories == _naive(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(text: str) -> None:
    result = CHECKER.check(text)
    assert result.flagged == bool(result.categories)
