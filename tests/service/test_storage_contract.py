"""scim2-server's own storage contract, on the SQLite storage (and again after a reload)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scim2_models import ScimProvider
from scim2_server.testing import ScimStorageContract

from engine.demo import demo_company
from engine.service.store import ProvisioningStorage, ServiceDB
from engine.settings import Settings


class TestSqliteStorage(ScimStorageContract):
    @pytest.fixture
    def storage(self, tmp_path: Path, provider: ScimProvider) -> ProvisioningStorage:
        return ProvisioningStorage(ServiceDB(tmp_path / "c.sqlite3"), provider, demo_company(), Settings())


def test_a_reload_sees_what_was_written(tmp_path: Path) -> None:
    from scim2_server.utils import load_default_provider

    provider = load_default_provider()
    user_type = next(rt for rt in provider.resource_types if rt.id == "User")
    model = provider.model_for(user_type)
    storage = ProvisioningStorage(ServiceDB(tmp_path / "r.sqlite3"), provider, demo_company(), Settings())
    created = storage.create(user_type, model(user_name="ann"))
    storage.db.close()
    again = ProvisioningStorage(ServiceDB(tmp_path / "r.sqlite3"), provider, demo_company(), Settings())
    got = again.get(user_type, created.id)
    assert got.user_name == "ann" and got.meta.version == created.meta.version
