import pytest

from trustdesk.lib.env import ImproperSetting, env_bool, env_int, env_list, env_str


def test_a_misspelt_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("TRUSTDESK_HTTPS", "ture")
    with pytest.raises(ImproperSetting, match=r"TRUSTDESK_HTTPS.*'ture'"):
        env_bool("TRUSTDESK_HTTPS")


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("False", False), ("", True)])
def test_booleans_read_true_false_or_the_default(monkeypatch, raw, expected):
    monkeypatch.setenv("TRUSTDESK_HTTPS", raw)
    assert env_bool("TRUSTDESK_HTTPS", True) is expected


def test_a_non_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("TRUSTDESK_WEB_WORKERS", "two")
    with pytest.raises(ImproperSetting, match=r"TRUSTDESK_WEB_WORKERS.*whole number"):
        env_int("TRUSTDESK_WEB_WORKERS", 2)


def test_an_unset_number_is_the_default(monkeypatch):
    monkeypatch.delenv("TRUSTDESK_WEB_WORKERS", raising=False)
    assert env_int("TRUSTDESK_WEB_WORKERS", 2) == 2


def test_a_secret_comes_from_the_file_variant(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret-from-a-file\n")
    monkeypatch.setenv("TRUSTDESK_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("TRUSTDESK_SECRET_KEY_FILE", str(secret))
    assert env_str("TRUSTDESK_SECRET_KEY") == "s3cret-from-a-file"


def test_an_unreadable_file_variant_names_it(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTDESK_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperSetting, match="TRUSTDESK_SECRET_KEY_FILE: cannot read"):
        env_str("TRUSTDESK_SECRET_KEY")


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("TRUSTDESK_ALLOWED_HOSTS", " desk.example.org, ,10.0.0.5 ")
    assert env_list("TRUSTDESK_ALLOWED_HOSTS") == ["desk.example.org", "10.0.0.5"]
