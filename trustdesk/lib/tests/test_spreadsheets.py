import pytest

from trustdesk.lib.spreadsheets import safe_cell


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_it_makes_formula_looking_text_plain_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain words", "", 42, -3, None, 1.5])
def test_it_leaves_other_values_alone(value):
    assert safe_cell(value) == value
