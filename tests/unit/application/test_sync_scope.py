"""ScopeResolver: configured vendor ids win; a name is looked up once; no match is an error."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from orderbridge.application.scope import ScopeResolver, SyncSetupError

pytestmark = pytest.mark.anyio


@dataclass
class Directory:
    """Vendor companies by name."""

    companies: dict[str, int]
    lookups: list[str] = field(default_factory=list)

    async def vendor_ids_by_name(self, name: str) -> list[int]:
        """Ids of companies whose name contains ``name``."""
        self.lookups.append(name)
        return sorted(i for n, i in self.companies.items() if name.lower() in n.lower())


async def test_name_is_resolved_once() -> None:
    directory = Directory({"TD SYNNEX Corporation": 4, "Ingram Micro": 5})
    resolver = ScopeResolver(directory, status_labels=["Submitted"])
    first, second = await resolver(), await resolver()
    assert first == second
    assert (first.vendor_ids, first.status_labels) == ((4,), ("Submitted",))
    assert directory.lookups == ["TD SYNNEX"]


async def test_configured_ids_skip_the_lookup() -> None:
    directory = Directory({})
    scope = await ScopeResolver(directory, status_labels=["Submitted"], vendor_ids=[9, 11])()
    assert scope.vendor_ids == (9, 11)
    assert directory.lookups == []


async def test_unknown_name_says_which_settings_to_change() -> None:
    resolver = ScopeResolver(Directory({"Ingram Micro": 5}), ["Submitted"], vendor_name="Acme")
    with pytest.raises(SyncSetupError, match=r"'Acme'.*autotask\.vendor_company_ids"):
        await resolver()
