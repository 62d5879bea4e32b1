"""What the transport tests share: a session as the runner makes one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from runner.salesforce.session import new_session


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with new_session() as opened:
        yield opened
