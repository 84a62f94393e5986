"""The blameless-language reminder."""

from trustdesk.postmortems.blameless import flags


def test_it_flags_blaming_phrases_with_a_suggestion():
    found = flags({"What went poorly": "Ana should have checked. Human error, basically."})
    assert [(f.phrase, f.field) for f in found] == [
        ("should have", "What went poorly"),
        ("Human error", "What went poorly"),
    ]
    assert found[0].suggestion == "say what would have helped them do it"
    assert "Ana should have checked" in found[0].excerpt


def test_it_matches_whole_words_only():
    assert flags({"Summary": "The default settings were faulty; blameless review."}) == []


def test_neutral_text_is_not_flagged():
    assert flags({"Root cause": "The queue had no owner outside EMEA hours."}) == []
