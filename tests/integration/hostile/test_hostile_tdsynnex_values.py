"""Absurd values inside otherwise good TD SYNNEX answers: refused per order, or rendered safely."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome
from orderbridge.domain.memo import MEMO_LIMIT
from tests.integration.hostile.hostile_cycles import (
    assert_plain_words,
    clean_cycle,
    converges,
    hostile_cycle,
    recorded,
)
from tests.integration.hostile.hostile_interceptor import Rewrite
from tests.integration.hostile.hostile_upstreams import HOSTILE_PO, HostileUpstreams, tdsynnex_call

pytestmark = pytest.mark.anyio

LONG_NAME = "ThinkPad " + "X" * 9_991  # 10,000 characters
TRACKING = "5080300&#x7f;95250&lt;b&gt;bold&lt;/b&gt;&#9;tab&#13;&#10;nl\u0085nel\u009bcsi"


def xml_sub(pattern: str, replacement: str) -> Callable[[bytes], bytes]:
    """A rewrite that replaces every match of ``pattern`` in the served XML."""
    compiled = re.compile(pattern.encode())
    return lambda body: compiled.sub(replacement.encode(), body)


def serve_rewritten(upstreams: HostileUpstreams, pattern: str, replacement: str) -> None:
    """From now on the hostile PO's status answer has ``pattern`` replaced."""
    upstreams.tdsynnex_proxy.add(Rewrite(tdsynnex_call(HOSTILE_PO), xml_sub(pattern, replacement)))


def written_texts(upstreams: HostileUpstreams, po_number: str) -> list[str]:
    """Every text field orderbridge writes on the PO and its items, as Autotask holds it."""
    fields = upstreams.snapshot()[po_number]
    texts = [v for k, v in fields.items() if isinstance(v, str)]
    for _, eta, memo in fields["items"]:
        texts += [t for t in (eta, memo) if isinstance(t, str)]
    return texts


def control_characters(text: str) -> set[str]:
    """Control characters other than the newline that separates memo lines."""
    return {c for c in text if unicodedata.category(c) == "Cc" and c != "\n"}


async def test_a_negative_quantity_fails_that_order_only(
    upstreams: HostileUpstreams, database: Path
) -> None:
    async with sync_services(upstreams.settings(database)) as services:
        failed, before = await hostile_cycle(
            services,
            upstreams,
            lambda: serve_rewritten(
                upstreams, r"<ShipQuantity>\d+</ShipQuantity>", "<ShipQuantity>-3</ShipQuantity>"
            ),
        )
        assert_plain_words(failed.error, f"PO {HOSTILE_PO}", "ShipQuantity", "negative")
        await converges(services, upstreams, before)


async def test_more_shipped_than_ordered_fails_that_order_only(
    upstreams: HostileUpstreams, database: Path
) -> None:
    async with sync_services(upstreams.settings(database)) as services:
        failed, before = await hostile_cycle(
            services,
            upstreams,
            lambda: serve_rewritten(
                upstreams, r"<ShipQuantity>\d+</ShipQuantity>", "<ShipQuantity>60</ShipQuantity>"
            ),
        )
        assert_plain_words(failed.error, f"PO {HOSTILE_PO}", "ShipQuantity", "OrderQuantity")
        await converges(services, upstreams, before)


async def test_year_9999_dates_never_reach_autotask(
    upstreams: HostileUpstreams, database: Path
) -> None:
    async with sync_services(upstreams.settings(database)) as services:
        await clean_cycle(services)
        before = recorded(services, upstreams, HOSTILE_PO)
        serve_rewritten(upstreams, r">20\d\d-\d\d-\d\d", ">9999-12-31")
        report = await clean_cycle(services)  # placeholders read as "no date": no failure
        after = recorded(services, upstreams, HOSTILE_PO)
    assert {o.po_number: o.outcome for o in report.orders}[HOSTILE_PO] is not OrderOutcome.FAILED
    assert not any("9999" in text for text in written_texts(upstreams, HOSTILE_PO))
    assert after.autotask["shippingDate"] == before.autotask["shippingDate"]
    assert [i[1] for i in after.autotask["items"]] == [i[1] for i in before.autotask["items"]]
    assert {e.key for e in before.history} <= {e.key for e in after.history}


async def test_year_9999_dates_do_not_erase_known_ship_dates(
    upstreams: HostileUpstreams, database: Path
) -> None:
    async with sync_services(upstreams.settings(database)) as services:
        await clean_cycle(services)
        before = upstreams.po(HOSTILE_PO)["generalMemo"]
        serve_rewritten(upstreams, r">20\d\d-\d\d-\d\d", ">9999-12-31")
        await clean_cycle(services)
    shipped = [line for line in before.splitlines() if ", shipped 20" in line]
    assert shipped, "the clean cycle wrote ship dates"
    after = upstreams.po(HOSTILE_PO)["generalMemo"]
    for line in shipped:
        assert line in after


async def test_a_10000_character_product_name_stays_within_autotask_limits(
    upstreams: HostileUpstreams, database: Path
) -> None:
    serve_rewritten(
        upstreams, r"<ProductName>[^<]*</ProductName>", f"<ProductName>{LONG_NAME}</ProductName>"
    )
    async with sync_services(upstreams.settings(database)) as services:
        report = await clean_cycle(services)
    assert report.updated == report.monitored
    texts = written_texts(upstreams, HOSTILE_PO)
    assert "Status: Shipped" in upstreams.po(HOSTILE_PO)["generalMemo"]
    assert all(len(text) <= MEMO_LIMIT for text in texts)
    assert not any("X" * 300 in text for text in texts)


async def test_markup_in_a_tracking_number_is_flattened_and_the_link_encoded(
    upstreams: HostileUpstreams, database: Path
) -> None:
    serve_rewritten(upstreams, r"<TrackingNumber>5080300\d+", f"<TrackingNumber>{TRACKING}")
    async with sync_services(upstreams.settings(database)) as services:
        report = await clean_cycle(services)
        again = await clean_cycle(services)
    assert report.updated == report.monitored
    assert again.updated == 0, "the odd tracking number does not make the memo flap"
    memo: str = upstreams.po(HOSTILE_PO)["generalMemo"]
    (link,) = [line.strip() for line in memo.splitlines() if "trknbr=5080300" in line]
    assert not set("<>\"' \t") & set(link), link
    assert "%3Cb%3E" in link
    for text in written_texts(upstreams, HOSTILE_PO):
        assert not {"\t", "\r", "\x85"} & set(text), repr(text)
        for line in text.splitlines():
            assert line == line.rstrip("\u2028\u2029")


async def test_no_control_character_reaches_autotask(
    upstreams: HostileUpstreams, database: Path
) -> None:
    serve_rewritten(upstreams, r"<TrackingNumber>5080300\d+", f"<TrackingNumber>{TRACKING}")
    async with sync_services(upstreams.settings(database)) as services:
        await clean_cycle(services)
    found: dict[str, Any] = {}
    for text in written_texts(upstreams, HOSTILE_PO):
        found |= {repr(c): text for c in control_characters(text)}
    assert not found, sorted(found)
