"""Checks for exercise 16: the pipeline's three services, each allowed only what it needs.

Nothing here reads the learner's permissions to judge them: the check starts a real
server with a configuration made from them (``gym.security.config_text``), connects as each
service and tries every line of the exercise's spec, allowed and denied, publish and
subscribe, with an unrestricted observer connection of its own watching what arrives.
What the server lets through is the verdict; the learner's blocks only choose the hint.
Every wrong permission of a service is reported, one sentence each.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg

from gym.checker import CheckContext, Fail, criterion
from gym.checker.explain import short
from gym.security import Violations, config_text, may_publish, may_subscribe, server_words
from gym.server import NatsServer, ServerError, start_server
from gym.session import connect

SERVICES = ("feed", "predictor", "explainer")
OBSERVER = "gym-observer"
"""The check's own user, with no permissions block: it may publish and read anything."""
REQUEST_SUBJECT = "svc.explain"
REQUEST_TIMEOUT = 1.0


@dataclass(frozen=True)
class Probe:
    """One line of the spec: may ``service`` publish to / subscribe to ``subject``?"""

    action: str  # "publish" or "subscribe"
    subject: str  # the subject published to, or the pattern subscribed to
    allowed: bool
    sample: str = ""  # for a subscription: a subject the observer publishes to test it


def _pub(subject: str, allowed: bool) -> Probe:
    return Probe("publish", subject, allowed)


def _sub(pattern: str, sample: str, allowed: bool) -> Probe:
    return Probe("subscribe", pattern, allowed, sample)


SPEC: dict[str, tuple[Probe, ...]] = {
    "feed": (
        _pub("market.data.ohlcv.AAPL", True),
        _pub("market.data.news.MSFT", True),
        _pub("predictions.normal.AAPL", False),
        _pub("explanations.AAPL", False),
        _pub(REQUEST_SUBJECT, False),
        _sub("market.data.>", "market.data.ohlcv.AAPL", False),
        _sub("predictions.>", "predictions.normal.AAPL", False),
    ),
    "predictor": (
        _sub("market.data.>", "market.data.ohlcv.AAPL", True),
        _pub("predictions.normal.AAPL", True),
        _pub("predictions.earnings.MSFT", True),
        _pub("market.data.ohlcv.AAPL", False),
        _pub("explanations.AAPL", False),
        _sub("predictions.>", "predictions.normal.AAPL", False),
        _sub("explanations.>", "explanations.AAPL", False),
    ),
    "explainer": (
        _sub("predictions.>", "predictions.normal.AAPL", True),
        _sub(REQUEST_SUBJECT, REQUEST_SUBJECT, True),
        _pub("explanations.AAPL", True),
        _pub("predictions.normal.AAPL", False),
        _pub("market.data.ohlcv.AAPL", False),
        _pub("_INBOX.unasked.1", False),
        _sub("market.data.>", "market.data.ohlcv.AAPL", False),
    ),
}
"""The exercise's spec, as probes. Kept in step with the docstring of the exercise."""

ALLOW_HINT = (
    "An allow list lets through only subjects that match one of its patterns: `*` stands for "
    "exactly one token, `>` for one or more at the end (predictions.> covers "
    "predictions.normal.AAPL; predictions.* does not)."
)
ALLOW_LIST_HINT = (
    "Allowing everything (no allow list, or '>') and denying a few subjects misses whatever "
    "you did not think of. Give the {service} an allow list of exactly what it needs: "
    "{{'{action}': {{'allow': [...]}}}}; to allow nothing at all, deny '>'."
)
EMPTY_ALLOW_HINT = (
    "An empty allow list is no list at all: the server then allows everything. To allow "
    "nothing, write {'deny': ['>']}."
)
NARROW_HINT = (
    "That subject matches a pattern the {service} is allowed to {action}: make it narrower."
)
INBOX_HINT = (
    "nc.request() subscribes to a reply inbox under _INBOX. and waits there, so a requester "
    "must be allowed to subscribe to _INBOX.>."
)
REQUEST_HINT = (
    f"Sending a request is publishing to its subject: the predictor's publish allow list "
    f"needs {REQUEST_SUBJECT!r} too (the replies come to its inbox: that is a subscribe "
    "permission)."
)
RESPONSES_HINT = (
    "A responder publishes each answer to the requester's inbox. 'allow_responses': True lets "
    "the explainer answer exactly the requests it received, once each; publish permission on "
    "_INBOX.> would let it write into anyone's inbox."
)
CONFIG_HINT = (
    "Each block may have 'publish' and 'subscribe' (a list of subjects, or a dict with "
    "'allow' and/or 'deny' lists) and 'allow_responses'. The server's words say which key "
    "or subject it could not read."
)
SHAPE_HINT = (
    "Return a dict with one key per service: {'feed': {...}, 'predictor': {...}, "
    "'explainer': {...}}, each a permissions block such as {'publish': {'allow': [...]}}."
)


def _not_config(value: Any, path: str) -> str | None:
    """The first value inside ``value`` that a configuration cannot hold, in words."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if not isinstance(key, str):
                return f"{path} has the key {key!r}, which is not a string"
            found = _not_config(inner, f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            found = _not_config(inner, f"{path}[{index}]")
            if found:
                return found
        return None
    if value is None or isinstance(value, str | bool | int | float):
        return None
    kind = type(value).__name__
    advice = ": use a list" if isinstance(value, set | frozenset) else ""
    return f"{path} is a {kind} ({short(value)}), which a configuration cannot hold{advice}"


async def _blocks(ctx: CheckContext) -> dict[str, dict[str, Any]]:
    """The learner's permissions, checked for shape: one dict per service, config-safe."""
    blocks = await ctx.call("permissions")
    ctx.expect_type(blocks, dict, call="permissions()")
    missing = [service for service in SERVICES if service not in blocks]
    ctx.expect(
        not missing,
        f"permissions() returned no block for the {' and the '.join(missing)}",
        SHAPE_HINT,
    )
    extra = [key for key in blocks if key not in SERVICES]
    ctx.expect(
        not extra,
        f"permissions() returned a block for {short(extra[0]) if extra else ''}, which is not "
        f"one of the pipeline's services ({', '.join(SERVICES)})",
        SHAPE_HINT,
    )
    for service in SERVICES:
        block = blocks[service]
        ctx.expect(
            isinstance(block, dict),
            f"permissions()[{service!r}] is {type(block).__name__} {short(block)}, expected "
            "a dict such as {'publish': {'allow': [...]}}",
            SHAPE_HINT,
        )
        problem = _not_config(block, f"permissions()[{service!r}]")
        ctx.expect(problem is None, str(problem), CONFIG_HINT)
    return blocks


def _configuration(blocks: dict[str, dict[str, Any]], passwords: dict[str, str]) -> str:
    users = [
        {"user": service, "password": passwords[service], "permissions": blocks[service]}
        for service in SERVICES
    ]
    users.append({"user": OBSERVER, "password": passwords[OBSERVER]})
    return config_text({"authorization": {"users": users}})


def _block_at(text: str, complaint: str) -> str:
    """Which service's block the server's ``…server.conf:LINE:COL`` complaint points into."""
    line = (
        complaint.split("server.conf:", 1)[1].split(":", 1)[0]
        if "server.conf:" in complaint
        else ""
    )
    if not line.isdigit():
        return ""
    owner = ""
    for number, content in enumerate(text.splitlines(), start=1):
        if number > int(line):
            break
        for service in (*SERVICES, OBSERVER):
            if f'"user": "{service}"' in content:
                owner = service
    return owner if owner in SERVICES else ""


@dataclass
class Pipeline:
    """A server running the learner's permissions, a connection per service, and a watcher."""

    server: NatsServer
    observer: Client
    connections: dict[str, Client]
    violations: dict[str, Violations]


@contextlib.asynccontextmanager
async def _pipeline(ctx: CheckContext, *services: str) -> AsyncIterator[Pipeline]:
    """Start a server with the learner's permissions and connect as ``services``."""
    blocks = await _blocks(ctx)
    passwords = {user: secrets.token_hex(8) for user in (*SERVICES, OBSERVER)}
    text = _configuration(blocks, passwords)
    try:
        server = start_server(config=text, jetstream=False)
    except ServerError as error:
        owner = _block_at(text, str(error))
        raise Fail(
            f"nats-server refused the configuration made from your permissions"
            f"{f' (in the {owner} block)' if owner else ''}: {server_words(error)}",
            CONFIG_HINT,
        ) from None
    opened: list[Client] = []
    try:
        observer = await connect(server.url, user=OBSERVER, password=passwords[OBSERVER])
        opened.append(observer)
        connections, violations = {}, {}
        for service in services:
            violations[service] = Violations(then=ctx.problems.nats_error_cb)
            connections[service] = await connect(
                server.url,
                name=service,
                user=service,
                password=passwords[service],
                error_cb=violations[service].error_cb,
            )
            opened.append(connections[service])
        yield Pipeline(server, observer, connections, violations)
    finally:
        for nc in opened:
            with contextlib.suppress(Exception):
                await nc.close()
        server.stop()


def _hint(probe: Probe, service: str, block: dict[str, Any]) -> str:
    """The hint for one wrong probe, chosen by what the learner's block says."""
    if probe.allowed:
        return ALLOW_HINT
    if probe.subject.startswith("_INBOX."):
        return RESPONSES_HINT
    rules = block.get(probe.action)
    if isinstance(rules, dict) and rules.get("allow") == []:
        return EMPTY_ALLOW_HINT
    allow = rules.get("allow") if isinstance(rules, dict) else rules
    allow = [allow] if isinstance(allow, str) else allow
    if not allow or ">" in allow:
        return ALLOW_LIST_HINT.format(service=service, action=probe.action)
    return NARROW_HINT.format(service=service, action=probe.action)


def _sentence(service: str, probe: Probe) -> str:
    what = f"{probe.action} to {probe.subject}"
    if probe.allowed:
        return f"the {service} must be able to {what}, but the server refused it"
    if probe.subject.startswith("_INBOX."):
        return (
            f"the {service} may publish to {probe.subject}, an inbox it received no request "
            "from, but must not"
        )
    if probe.action == "subscribe":
        received = f"(it received {probe.sample})"
        return f"the {service} may subscribe to {probe.subject} {received}, but must not"
    return f"the {service} may {what}, but must not"


async def _check_service(ctx: CheckContext, service: str) -> None:
    """Try every probe of ``service``'s spec; fail listing each one the server got wrong."""
    blocks = await _blocks(ctx)
    async with _pipeline(ctx, service) as pipeline:
        nc = pipeline.connections[service]
        wrong: list[Probe] = []
        for probe in SPEC[service]:
            if probe.action == "publish":
                got = await may_publish(nc, probe.subject, observer=pipeline.observer)
            else:
                got = await may_subscribe(
                    nc, probe.subject, probe.sample, observer=pipeline.observer
                )
            if got != probe.allowed:
                wrong.append(probe)
    if wrong:
        raise Fail(
            "; ".join(_sentence(service, probe) for probe in wrong),
            _hint(wrong[0], service, blocks[service]),
        )


@criterion(
    "permissions() returns a block for the feed, the predictor and the explainer, "
    "and nats-server accepts them"
)
async def server_accepts(ctx: CheckContext) -> None:
    async with _pipeline(ctx):
        pass


@criterion("the feed may publish market data, and nothing else")
async def feed_permissions(ctx: CheckContext) -> None:
    await _check_service(ctx, "feed")


@criterion("the predictor may read market data and publish predictions, and nothing else")
async def predictor_permissions(ctx: CheckContext) -> None:
    await _check_service(ctx, "predictor")


@criterion(
    "the explainer may read predictions and requests and publish explanations, and nothing else"
)
async def explainer_permissions(ctx: CheckContext) -> None:
    await _check_service(ctx, "explainer")


def _refused(violations: list[str], action: str) -> str | None:
    """The subject of the first violation of ``action`` ("publish" or "subscription")."""
    for said in violations:
        if f"for {action} to " in said:
            return said.split(" to ", 1)[1].strip('"')
    return None


@criterion("the predictor can ask the explainer on svc.explain and receive the answer")
async def request_reply(ctx: CheckContext) -> None:
    async with _pipeline(ctx, "predictor", "explainer") as pipeline:
        predictor, explainer = pipeline.connections["predictor"], pipeline.connections["explainer"]
        said = pipeline.violations

        async def explain(msg: Msg) -> None:
            await msg.respond(b"AAPL: strong momentum")

        await explainer.subscribe(REQUEST_SUBJECT, queue="explainers", cb=explain)
        await explainer.flush()
        await explainer.flush()
        ctx.expect(
            not said["explainer"].new(),
            f"the explainer must be able to subscribe to {REQUEST_SUBJECT} to receive "
            "requests, but the server refused it",
            ALLOW_HINT,
        )
        asked = asyncio.ensure_future(
            predictor.request(REQUEST_SUBJECT, b"AAPL", timeout=REQUEST_TIMEOUT)
        )
        refusals = [asyncio.ensure_future(said[s].next_refusal()) for s in said]
        try:
            await asyncio.wait({asked, *refusals}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in refusals:
                waiting.cancel()
        if not asked.done():
            asked.cancel()
            await asyncio.gather(asked, return_exceptions=True)
        predictor_said, explainer_said = said["predictor"].new(), said["explainer"].new()
        if _refused(predictor_said, "publish"):
            raise Fail(
                f"the predictor must be able to publish its request to {REQUEST_SUBJECT}, "
                "but the server refused it",
                REQUEST_HINT,
            )
        inbox = _refused(predictor_said, "subscription")
        if inbox:
            raise Fail(
                "the predictor sent its request, but the server refused its subscription to "
                f"the reply inbox ({inbox.split('.')[0].upper()}.…), so no answer could reach it",
                INBOX_HINT,
            )
        if _refused(explainer_said, "publish"):
            raise Fail(
                "the explainer received the request, but the server refused its reply to the "
                "predictor's inbox",
                RESPONSES_HINT,
            )
        try:
            reply = asked.result()
        except nats.errors.NoRespondersError:
            raise Fail(
                f"the predictor's request on {REQUEST_SUBJECT} met 'no responders': the "
                "explainer's subscription did not reach the server",
                ALLOW_HINT,
            ) from None
        except (nats.errors.TimeoutError, asyncio.CancelledError):
            raise Fail(
                f"the predictor's request on {REQUEST_SUBJECT} got no answer within "
                f"{REQUEST_TIMEOUT:g} s, and the server reported no refusal",
                INBOX_HINT,
            ) from None
        ctx.expect_equal(
            reply.data,
            b"AAPL: strong momentum",
            call=f"predictor.request({REQUEST_SUBJECT!r}, b'AAPL')",
        )


CRITERIA = [
    server_accepts,
    feed_permissions,
    predictor_permissions,
    explainer_permissions,
    request_reply,
]
