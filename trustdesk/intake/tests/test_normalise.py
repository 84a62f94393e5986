import pytest

from trustdesk.intake.normalise import (
    MarketHints,
    Taxonomy,
    content_key,
    normalise_url,
    resolve_category,
    resolve_language,
    resolve_market,
    split_locale,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy():
    return Taxonomy.load()


def _market(taxonomy, **hints):
    market, source = resolve_market(MarketHints(**hints), taxonomy.markets)
    return (market.code if market else None), source


def test_an_explicit_market_wins(taxonomy):
    assert _market(taxonomy, market="br", phone="+49 30 1234567") == ("BR", "market")


def test_the_phone_prefix_gives_the_market(taxonomy):
    assert _market(taxonomy, phone="+55 11 91234-5678") == ("BR", "phone")
    assert _market(taxonomy, phone="+44 20 7946 0958") == ("GB", "phone")


def test_the_locale_gives_the_market(taxonomy):
    assert _market(taxonomy, locale="pt_BR") == ("BR", "locale")
    assert _market(taxonomy, locale="es-MX") == ("MX", "locale")
    assert _market(taxonomy, locale="zh-Hant-TW") == ("TW", "locale")


def test_the_regulators_jurisdiction_is_the_last_resort(taxonomy):
    assert _market(taxonomy, jurisdiction="FR") == ("FR", "jurisdiction")
    assert _market(taxonomy, locale="en", jurisdiction="IE") == ("IE", "jurisdiction")
    assert _market(taxonomy, jurisdiction="EU") == (None, "")


def test_nonsense_hints_give_no_market(taxonomy):
    assert _market(taxonomy, phone="call me maybe", locale="klingon") == (None, "")


def test_language_comes_from_the_locale_or_a_one_language_market(taxonomy):
    assert split_locale("pt-BR") == ("pt", "BR")
    assert resolve_language("", "pt_BR", None) == "pt"
    assert resolve_language("", "", taxonomy.markets["BR"]) == "pt"
    assert resolve_language("", "", taxonomy.markets["CH"]) == ""
    assert resolve_language("DE", "pt_BR", None) == "de"


def test_channel_labels_map_to_dsa_categories(taxonomy):
    cats = taxonomy.categories
    webhook = resolve_category(
        category="", label="Hash-Match CSAM", channel="webhook", categories=cats
    )
    assert webhook.code == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    shared = resolve_category(category="", label="hate speech", channel="email", categories=cats)
    assert shared.code == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert resolve_category(category="", label="gore", channel="api", categories=cats) is None
    by_slug = resolve_category(category="scams-fraud", label="", channel="api", categories=cats)
    assert by_slug.code == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"


def test_links_to_the_same_content_normalise_to_one_form():
    forms = {
        normalise_url("https://www.Video.example/watch/123/?utm_source=x&b=2&a=1#t=5"),
        normalise_url("http://video.example:80/watch/123?a=1&b=2&fbclid=abc"),
        normalise_url("video.example/watch/123?b=2&a=1"),
        normalise_url("https://m.video.example/watch/%31%323?a=1&b=2"),
    }
    assert forms == {"video.example/watch/123?a=1&b=2"}
    assert normalise_url("https://video.example/watch/124") != normalise_url(
        "https://video.example/watch/123"
    )


def test_a_platform_content_id_wins_over_the_url():
    assert content_key(url="https://a.example/1", content_id="vid:9") == content_key(
        content_id="vid:9"
    )
