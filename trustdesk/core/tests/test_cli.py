"""The ``trustdesk`` console script, run the way a person runs it: as a subprocess."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

TRUSTDESK = Path(sys.executable).parent / "trustdesk"


@pytest.fixture
def env(tmp_path):
    """Production settings on a fresh SQLite database of its own, whatever the suite uses."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "trustdesk.settings"
    env["TRUSTDESK_DATA_DIR"] = str(tmp_path / "data")
    return env


def _trustdesk(env, *args, timeout=120):
    return subprocess.run(
        [str(TRUSTDESK), *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_the_console_script_is_installed_beside_python():
    assert TRUSTDESK.is_file(), "run `pip install -e .` (scripts/test does)"


def test_help_lists_the_trustdesk_commands(env):
    result = _trustdesk(env, "--help")
    assert result.returncode == 0, result.stderr
    assert "Type 'trustdesk help <subcommand>'" in result.stdout
    for command in ("demo", "serve", "worker", "scheduler", "seed_demo", "audit"):
        assert f"    {command}\n" in result.stdout


def test_check_finds_no_issues(env):
    result = _trustdesk(env, "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_misspelt_setting_stops_it_with_the_variable_name(env):
    env["TRUSTDESK_DEBUG"] = "maybe"
    result = _trustdesk(env, "check")
    assert result.returncode == 1
    assert "TRUSTDESK_DEBUG must be true or false" in result.stderr
    assert "Traceback" not in result.stderr


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get_when_up(url, server, log, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"trustdesk serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - http URL
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"no answer from {url} within {timeout}s:\n{log.read_text()}")


def test_serve_answers_with_the_login_page(env, tmp_path):
    migrate = _trustdesk(env, "migrate", "--verbosity=0")
    assert migrate.returncode == 0, migrate.stderr
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(TRUSTDESK), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        status, body = _get_when_up(f"http://127.0.0.1:{port}/login/", server, log, timeout=60)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert status == 200, log.read_text()
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert server.returncode == 0, "SIGTERM should stop gunicorn gracefully"
