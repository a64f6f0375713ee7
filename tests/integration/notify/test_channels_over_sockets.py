"""Apprise channels against a real SMTP server and a real webhook receiver on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from orderbridge.adapters.notify import AppriseChannel, redact_channel_url
from orderbridge.ports import NotificationUndeliverable, UpstreamUnavailable
from tests.integration.notify.receivers import Mailbox, Webhook, smtp_server, webhook_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with webhook_server() as running:
        yield running


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def mail_url(port: int) -> str:
    return f"mailto://127.0.0.1:{port}?from=orderbridge@msp.example&to=purchasing@msp.example"


async def test_email_reaches_the_smtp_server(mailbox: Mailbox) -> None:
    channel = AppriseChannel("purchasing", mail_url(mailbox.port))
    reached = await channel.send(
        "PO 4711 shipped (UPS 1Z999)",
        "Carrier: UPS\nTrack it: https://x",
        facts=None,
        recipients=(),
    )
    assert reached == ["purchasing@msp.example"]
    ((sender, to, message),) = mailbox.messages
    assert (sender, to) == ("orderbridge@msp.example", ["purchasing@msp.example"])
    assert message["Subject"] == "PO 4711 shipped (UPS 1Z999)"
    # Plain text with its line breaks (Apprise would send HTML and flatten a digest).
    assert mailbox.bodies()[0].splitlines()[:2] == ["Carrier: UPS", "Track it: https://x"]


async def test_people_replace_the_channels_own_recipients(mailbox: Mailbox) -> None:
    channel = AppriseChannel("purchasing", mail_url(mailbox.port))
    people = ("tess@msp.example", "cara@customer.example")
    assert await channel.send("t", "b", facts=None, recipients=people) == list(people)
    # Apprise sends each address its own copy: nobody sees the other recipients.
    assert sorted(to for _, rcpt, _ in mailbox.messages for to in rcpt) == sorted(people)


async def test_json_webhook_gets_title_and_message(webhook: Webhook) -> None:
    channel = AppriseChannel("teams-hook", f"json://127.0.0.1:{webhook.port}/hooks/orderbridge")
    reached = await channel.send("3 orders need attention", "PO-1, PO-2", facts=None, recipients=())
    assert reached == [f"teams-hook: {channel.shown_url}"]
    (payload,) = webhook.received
    assert (payload["title"], payload["message"]) == ("3 orders need attention", "PO-1, PO-2")


async def test_people_need_an_email_channel(webhook: Webhook) -> None:
    channel = AppriseChannel("hook", f"json://127.0.0.1:{webhook.port}/")
    with pytest.raises(NotificationUndeliverable, match="e-mail"):
        await channel.send("t", "b", facts=None, recipients=("a@b.example",))


async def test_a_failing_webhook_is_a_retryable_error(webhook: Webhook) -> None:
    webhook.status = 503
    channel = AppriseChannel("hook", f"json://127.0.0.1:{webhook.port}/")
    with pytest.raises(UpstreamUnavailable, match="hook"):
        await channel.send("t", "b", facts=None, recipients=())


async def test_a_dead_server_is_retryable_and_the_password_never_shows() -> None:
    url = f"json://robot:hunter2-secret@127.0.0.1:{closed_port()}/x"
    channel = AppriseChannel("hook", url)
    with pytest.raises(UpstreamUnavailable) as caught:
        await channel.send("t", "b", facts=None, recipients=())
    assert "hunter2-secret" not in str(caught.value)
    assert "hunter2-secret" not in repr(channel)
    assert "hunter2-secret" not in redact_channel_url(url)
    with pytest.raises(UpstreamUnavailable, match=r"cannot reach 127\.0\.0\.1") as checked:
        await channel.check()
    assert "hunter2-secret" not in str(checked.value)


async def test_check_connects_to_smtp_and_webhook_servers(
    mailbox: Mailbox, webhook: Webhook
) -> None:
    assert "answers" in await AppriseChannel("m", mail_url(mailbox.port)).check()
    assert "answers" in await AppriseChannel("w", f"json://127.0.0.1:{webhook.port}/").check()
    assert mailbox.messages == []  # a check connects; it sends nothing
    with pytest.raises(NotificationUndeliverable, match="not a URL Apprise can send to"):
        await AppriseChannel("bad", "nonsense://whatever").check()


async def test_a_server_that_never_answers_is_a_retryable_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # accepts connections (backlog) and never answers
        port = silent.getsockname()[1]
        channel = AppriseChannel("slow", f"json://127.0.0.1:{port}/", timeout_s=0.5)
        with pytest.raises(UpstreamUnavailable, match="slow"):
            await channel.send("t", "b", facts=None, recipients=())


async def test_the_channel_timeout_is_apprises_own_so_its_thread_gives_up() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        port = silent.getsockname()[1]
        channel = AppriseChannel("slow", f"json://127.0.0.1:{port}/", timeout_s=1.0)
        with pytest.raises(UpstreamUnavailable) as caught:
            await channel.send("t", "b", facts=None, recipients=())
    # Apprise's socket gave up after 1 s and said so; the 2 s wait around it did not have to.
    assert "no answer within" not in str(caught.value)
    assert "slow" in str(caught.value)


def test_timeouts_in_the_url_win_over_the_channels() -> None:
    port = closed_port()
    plain = AppriseChannel("w", f"json://127.0.0.1:{port}/", timeout_s=7.5)
    assert plain._plugin(plain._url).request_timeout == (7.5, 7.5)
    mail = AppriseChannel("m", mail_url(port), timeout_s=7.5)
    assert mail._plugin(mail._url).socket_connect_timeout == 7.5
    given = AppriseChannel("g", f"json://127.0.0.1:{port}/?cto=2&rto=9", timeout_s=7.5)
    assert given._plugin(given._url).request_timeout == (2.0, 9.0)
    shouted = AppriseChannel("s", f"json://127.0.0.1:{port}/?CTO=2&RTO=9", timeout_s=7.5)
    assert shouted._plugin(shouted._url).request_timeout == (2.0, 9.0)
