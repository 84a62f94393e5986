from datetime import UTC, datetime

import pytest
import time_machine

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    """The clock stands at 2026-11-20 12:00 UTC unless a test moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
