"""Fixtures: the store tests' real databases and the Autotask simulator tests' server."""

from __future__ import annotations

from tests.integration.simulators.autotask.conftest import (  # noqa: F401 - fixtures by name
    admin,
    api,
    server,
    sim,
    sim_config,
    vendor_id,
)
from tests.integration.store.conftest import (  # noqa: F401 - fixtures pytest finds by name
    database_url,
    postgres_server_url,
    postgres_url,
    store,
)
