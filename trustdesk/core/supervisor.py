"""Runs a few processes side by side and stops them together (``trustdesk demo``).

Each child gets its own session, so a Ctrl-C in the terminal reaches only the supervisor,
which then stops the children in order with SIGTERM (and SIGKILL after a grace period).
If any child exits on its own, the others are stopped too: a demo with a dead worker would
look alive while doing nothing.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class Supervisor:
    commands: Mapping[str, Sequence[str]]
    say: Callable[[str], object]
    env: Mapping[str, str] | None = None
    grace_seconds: float = 10.0
    poll_seconds: float = 0.2
    stop_signal: int | None = None
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @contextmanager
    def signals_handled(self) -> Iterator[None]:
        """While inside, SIGINT/SIGTERM/SIGHUP ask the supervisor to stop instead of
        killing it, so it can stop its children first."""

        def ask_to_stop(signum: int, frame: FrameType | None) -> None:
            self.stop_signal = signum

        previous = {sig: signal.signal(sig, ask_to_stop) for sig in _STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def start(self) -> None:
        for name, argv in self.commands.items():
            self.children[name] = subprocess.Popen(  # noqa: S603 - our own argv
                list(argv), env=self.env, start_new_session=True
            )

    def exited(self) -> tuple[str, int] | None:
        """The first child found to have exited, with its exit status."""
        for name, child in self.children.items():
            code = child.poll()
            if code is not None:
                return name, code
        return None

    def wait_until(self, condition: Callable[[], bool], *, timeout: float) -> bool:
        """Poll ``condition`` until it holds. False on timeout, on a stop request, or when
        a child exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stop_signal is not None or self.exited() is not None:
                return False
            if condition():
                return True
            time.sleep(self.poll_seconds)
        return False

    def wait(self) -> int:
        """Block until asked to stop (exit status 0) or until a child exits (status 1)."""
        while self.stop_signal is None:
            gone = self.exited()
            if gone is not None:
                name, code = gone
                self.say(f"{name} exited with status {code}; stopping the others.")
                return 1
            time.sleep(self.poll_seconds)
        self.say(f"Received {signal.Signals(self.stop_signal).name}; stopping.")
        return 0

    def stop(self) -> None:
        """SIGTERM every child still running, then SIGKILL those that outlive the grace."""
        running = [c for c in self.children.values() if c.poll() is None]
        for child in running:
            child.terminate()
        deadline = time.monotonic() + self.grace_seconds
        for child in running:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
