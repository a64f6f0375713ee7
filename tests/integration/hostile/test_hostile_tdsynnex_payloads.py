"""Hostile and broken TD SYNNEX answers for one PO: reported on that PO, nothing lost or doubled."""

from __future__ import annotations

import logging
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderbridge.adapters.store import SqlStore
from orderbridge.bootstrap import sync_services
from orderbridge.cli import app
from orderbridge.domain.history import OrderOutcome
from tests.integration.hostile.hostile_bodies import (
    HUGE_BODY_BYTES,
    billion_laughs,
    deeply_nested,
    external_entity,
    html_error_page,
    huge_body_chunks,
    invalid_utf8,
    truncated,
)
from tests.integration.hostile.hostile_cycles import (
    MOVER_PO,
    activity_log,
    assert_plain_words,
    converges,
    hostile_cycle,
)
from tests.integration.hostile.hostile_interceptor import Answer
from tests.integration.hostile.hostile_upstreams import HOSTILE_PO, HostileUpstreams, tdsynnex_call

pytestmark = pytest.mark.anyio

MARKER = "MARKER-7f3e-etc-passwd-contents"

# name -> (body for the hostile PO, words its activity-log error must contain)
PAYLOADS: dict[str, tuple[Callable[[Path], bytes], tuple[str, ...]]] = {
    "external entity": (lambda tmp: external_entity(HOSTILE_PO, tmp / "secret"), ("entities",)),
    "billion laughs": (lambda _: billion_laughs(HOSTILE_PO), ("entities", "refused")),
    "deep nesting": (lambda _: deeply_nested(HOSTILE_PO), ("nested more than",)),
    "invalid UTF-8": (lambda _: invalid_utf8(HOSTILE_PO), ("not valid UTF-8",)),
    "HTML with HTTP 200": (lambda _: html_error_page(), ("HTML page instead of XML",)),
    "truncated XML": (lambda _: truncated(HOSTILE_PO), ("not well-formed XML",)),
}


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A local file an external entity would try to read."""
    path = tmp_path / "secret"
    path.write_text(f"root:x:0:0:{MARKER}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(PAYLOADS))
async def test_hostile_answer_fails_only_that_order(
    upstreams: HostileUpstreams, database: Path, secret_file: Path, name: str
) -> None:
    make, words = PAYLOADS[name]
    body = make(secret_file.parent)
    async with sync_services(upstreams.settings(database)) as services:
        failed, before = await hostile_cycle(
            services,
            upstreams,
            lambda: upstreams.tdsynnex_proxy.add(Answer(tdsynnex_call(HOSTILE_PO), body)),
        )
        assert_plain_words(failed.error, f"PO {HOSTILE_PO}", *words)
        assert MARKER not in (failed.error or "")
        await converges(services, upstreams, before)


@pytest.mark.parametrize("name", [name for name in PAYLOADS if name != "HTML with HTTP 200"])
async def test_the_error_names_the_service_that_answered(
    upstreams: HostileUpstreams, database: Path, secret_file: Path, name: str
) -> None:
    # The activity log line sits next to Autotask errors for the same PO: it must say who
    # sent the unreadable answer, or the user does not know where to look.
    body = PAYLOADS[name][0](secret_file.parent)
    upstreams.tdsynnex_proxy.add(Answer(tdsynnex_call(HOSTILE_PO), body))
    async with sync_services(upstreams.settings(database)) as services:
        await services.sync.run_once()
        failed = activity_log(services.store)[HOSTILE_PO]
    assert failed.outcome is OrderOutcome.FAILED
    assert_plain_words(failed.error, "TD SYNNEX")


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
async def test_a_50_mb_answer_is_refused_without_holding_it(
    upstreams: HostileUpstreams, database: Path, declared: bool
) -> None:
    rule = Answer(
        tdsynnex_call(HOSTILE_PO),
        huge_body_chunks(HOSTILE_PO),
        declared_length=HUGE_BODY_BYTES if declared else None,
    )
    timing: list[float] = []

    def arm() -> None:
        upstreams.tdsynnex_proxy.add(rule)
        tracemalloc.start()
        timing.append(time.monotonic())

    async with sync_services(upstreams.settings(database)) as services:
        try:
            failed, before = await hostile_cycle(services, upstreams, arm)
            elapsed = time.monotonic() - timing[0]
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert rule.served == 1, "an oversized answer is not asked for again"
        assert peak < 20 * 1024 * 1024, f"peak {peak:,} bytes while refusing a 50 MiB answer"
        assert elapsed < 15
        assert_plain_words(failed.error, f"PO {HOSTILE_PO}", "byte limit")
        await converges(services, upstreams, before)


def test_an_external_entity_never_leaks_the_file(
    upstreams: HostileUpstreams,
    database: Path,
    secret_file: Path,
    tmp_path: Path,
    runner: CliRunner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    config = upstreams.write_config(tmp_path / "orderbridge.toml", database)
    first = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert first.exit_code == 0, first.output
    upstreams.tdsynnex.advance(HOSTILE_PO)
    upstreams.tdsynnex_proxy.add(
        Answer(tdsynnex_call(HOSTILE_PO), external_entity(HOSTILE_PO, secret_file))
    )
    upstreams.tdsynnex.advance(MOVER_PO)
    upstreams.reset_counters()
    outputs: list[str] = [first.stdout, first.stderr]
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert HOSTILE_PO in result.stdout
    assert "entities" in result.stdout
    outputs += [result.stdout, result.stderr]
    for command in (["log"], ["status", HOSTILE_PO]):
        shown = runner.invoke(app, [*command, "--config", str(config)])
        assert shown.exit_code == 0, shown.output
        outputs += [shown.stdout, shown.stderr]
    with SqlStore.open(f"sqlite:///{database}") as store:
        logged = activity_log(store)[HOSTILE_PO]
        assert logged.outcome is OrderOutcome.FAILED
        assert_plain_words(logged.error, f"PO {HOSTILE_PO}", "entities")
        assert MARKER not in repr(store.load_state("default", HOSTILE_PO))
    stored = b"".join(
        p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("orderbridge.db")
    )
    autotask_side = repr(upstreams.autotask.purchase_orders()) + repr(
        upstreams.autotask.state.requests(limit=0)
    )
    for text in [*outputs, caplog.text, autotask_side]:
        assert MARKER not in text
    assert MARKER.encode() not in stored
    assert upstreams.patches() > 0, "the other orders were written"
    assert not upstreams.patched(HOSTILE_PO)
