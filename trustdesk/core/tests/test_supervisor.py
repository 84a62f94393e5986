import os
import signal
import sys
import time

from trustdesk.core.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def _supervisor(commands, messages, **kwargs):
    return Supervisor(commands, say=messages.append, poll_seconds=0.05, **kwargs)


def test_when_one_child_dies_it_stops_the_others():
    messages = []
    supervisor = _supervisor(
        {"web": SLEEPER, "worker": [sys.executable, "-c", "raise SystemExit(3)"]}, messages
    )
    supervisor.start()
    try:
        assert supervisor.wait() == 1
    finally:
        supervisor.stop()
    assert messages == ["worker exited with status 3; stopping the others."]
    assert supervisor.children["web"].returncode == -signal.SIGTERM


def test_a_stop_signal_stops_every_child_and_exits_cleanly():
    messages = []
    supervisor = _supervisor({"web": SLEEPER, "worker": SLEEPER}, messages)
    with supervisor.signals_handled():
        supervisor.start()
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            assert supervisor.wait() == 0
        finally:
            supervisor.stop()
    assert messages == ["Received SIGTERM; stopping."]
    assert all(c.returncode == -signal.SIGTERM for c in supervisor.children.values())


def test_signal_handlers_are_restored_afterwards():
    before = signal.getsignal(signal.SIGINT)
    with _supervisor({}, []).signals_handled():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    ready = tmp_path / "ready"
    stubborn = (
        "import pathlib, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(60)"
    )
    supervisor = _supervisor({"stubborn": [sys.executable, "-c", stubborn]}, [], grace_seconds=0.5)
    supervisor.start()
    deadline = time.monotonic() + 10
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    supervisor.stop()
    assert supervisor.children["stubborn"].returncode == -signal.SIGKILL
