import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _client_key_secret(monkeypatch):
    """Tests never create a per-installation secret in the user's home."""
    monkeypatch.setenv("REGMETER_CLIENT_KEY_SECRET", "test-secret-0123456789abcdef")


def shared_fixture(name: str) -> Path:
    path = SHARED / "fixtures" / "public" / name
    if not path.exists():
        pytest.skip(f"../shared/fixtures/public/{name} is not present (a user's clone has no ../shared)")
    return path
