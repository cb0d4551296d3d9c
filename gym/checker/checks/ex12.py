"""Checks for ex12: model artefacts in an Object Store bucket, fetched back verified by digest.

Each criterion starts from a fresh server with no bucket; the check stores, replaces and
deletes objects with nats-py itself, so it knows every digest, and reads back what the
learner's code stored (``get_info``, ``get``). To see whether ``fetch_artefact`` read the
whole bucket to find one object, the check listens on its own connection (which the
learner's code shares) for the consumers that code asks JetStream to create: ``list`` and
``watch`` create one over every object's info, ``get`` one over a single object's chunks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from typing import Any

from nats.js.errors import NotFoundError, ObjectNotFoundError
from nats.js.object_store import ObjectStore

from gym.checker import CheckContext, Fail, criterion
from gym.checker.context import LearnerError
from gym.checker.explain import short
from gym.delivery import wait_until_processed

BUCKET = "models"
STREAM = f"OBJ_{BUCKET}"
INDEX = f"$O.{BUCKET}.M.>"
"""The subjects of every object's info: a consumer on them reads the whole bucket's index."""
SIZE = 300_000
CHUNK = 64 * 1024
CHUNKS = -(-SIZE // CHUNK)
DEFAULT_CHUNK = 128 * 1024

NOT_FOUND_HINT = (
    "`await store.get(name)` raises ObjectNotFoundError for an object never stored or "
    "deleted: catch exactly that and return None."
)
NOTATION_HINT = (
    "The digest you are given is in the store's notation, 'SHA-256=' + URL-safe base64 "
    "(ObjectInfo.digest): compare it with sha256_digest(result.data), not with hexdigest()."
)
VERIFY_HINT = (
    "Verify before returning: `if sha256_digest(result.data) != digest: raise "
    "ArtefactMismatch(...)`. nats-py's get only checks the chunks against the digest of the "
    "object stored now, whichever file that is."
)
CATCH_HINT = (
    "Catch ObjectNotFoundError only, around `store.get(name)`. Catching every exception "
    "(`except Exception`), or NotFoundError (a missing bucket's BucketNotFoundError is one "
    "too), turns every other problem into 'no such model'."
)


def payload(seed: int, size: int) -> bytes:
    """Reproducible bytes that look like a model file (random, so they do not compress)."""
    return random.Random(seed).randbytes(size)


def store_digest(data: bytes) -> str:
    """What ``ObjectInfo.digest`` says for an object holding ``data``."""
    return "SHA-256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode()


async def bucket(ctx: CheckContext) -> ObjectStore:
    """The bucket ``models``, made by the check."""
    return await ctx.js.create_object_store(BUCKET)


async def bucket_exists(ctx: CheckContext) -> bool:
    try:
        await ctx.js.stream_info(STREAM)
    except NotFoundError:
        return False
    return True


def mismatch_class(ctx: CheckContext) -> type[BaseException]:
    """The learner's ``ArtefactMismatch``, which the exercise file defines."""
    found = getattr(ctx.learner, "ArtefactMismatch", None)
    if not (isinstance(found, type) and issubclass(found, Exception)):
        raise Fail(
            f"{ctx.learner_file.name} has no exception class ArtefactMismatch",
            hint="Keep `class ArtefactMismatch(Exception)` from the exercise file.",
        )
    return found


async def fetch(ctx: CheckContext, name: str, digest: str) -> Any:
    """Call the learner's fetch_artefact with the hints that fit what it may raise."""
    hints = {ObjectNotFoundError: NOT_FOUND_HINT, mismatch_class(ctx): NOTATION_HINT}
    with ctx.hints(hints):
        return await ctx.call("fetch_artefact", ctx.js, name, digest)


@criterion("sha256_digest writes the digest as the store does: 'SHA-256=' and URL-safe base64")
async def digest_notation(ctx: CheckContext) -> None:
    store = await bucket(ctx)
    # the empty file's digest, 47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=, has both '-' and
    # '_': standard base64 and hex both differ from it
    samples = {"an empty file": b"", "a small file": payload(12, 64)}
    for story, data in samples.items():
        info = await store.put(story.replace(" ", "-"), data)
        call = f"sha256_digest(<{story}, {len(data)} bytes>)"
        got = await ctx.call("sha256_digest", data)
        if got == info.digest:
            continue
        sha = hashlib.sha256(data)
        standard = base64.b64encode(sha.digest()).decode()
        if got in (sha.hexdigest(), "SHA-256=" + sha.hexdigest()):
            hint = "That is hexdigest(): the store writes the raw digest in URL-safe base64."
        elif got in (standard, "SHA-256=" + standard):
            hint = (
                "That is standard base64, which writes '+' and '/': the store uses "
                "base64.urlsafe_b64encode ('-' and '_')."
            )
        elif isinstance(got, str) and not got.startswith("SHA-256="):
            hint = "Start with the algorithm's name, as the store does: 'SHA-256=' + ..."
        else:
            hint = "'SHA-256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode()"
        raise Fail(
            f"{call} returned {short(got)}; the store's digest of the same bytes is "
            f"{info.digest!r}",
            hint=hint,
        )


@criterion("store_artefact creates the bucket, stores the bytes in chunks of chunk_size")
async def stores(ctx: CheckContext) -> None:
    data = payload(3, SIZE)
    name = "lstm-aapl-v3.onnx"
    call = f"store_artefact(js, {name!r}, <{SIZE} bytes>, chunk_size={CHUNK})"
    got = await ctx.call("store_artefact", ctx.js, name, data, chunk_size=CHUNK)
    if not await bucket_exists(ctx):
        raise Fail(
            f"after {call} there is no bucket {BUCKET!r}",
            hint=f"Create it first: `store = await js.create_object_store({BUCKET!r})` (it "
            "returns the existing bucket when there is one).",
        )
    store = await ctx.js.object_store(BUCKET)
    try:
        info = await store.get_info(name)
    except ObjectNotFoundError:
        raise Fail(
            f"after {call} the bucket {BUCKET!r} has no object {name!r}",
            hint="`await store.put(name, data, meta=...)` stores it under that name.",
        ) from None
    ctx.expect(
        info.size == SIZE,
        f"after {call} the object holds {info.size} bytes, expected {SIZE}",
        hint="Store all of `data`, as bytes.",
    )
    if info.chunks != CHUNKS:
        default = info.chunks == -(-SIZE // DEFAULT_CHUNK)
        raise Fail(
            f"after {call} the object is stored in {info.chunks} chunks"
            f"{' (nats-py default of 128 KiB)' if default else ''}, expected {CHUNKS} chunks "
            f"of at most {CHUNK} bytes",
            hint="Pass the chunk size to put: `meta=ObjectMeta(name=name, "
            "options=ObjectMetaOptions(max_chunk_size=chunk_size))`.",
        )
    if hasattr(got, "digest") and not isinstance(got, str):
        raise Fail(
            f"{call} returned the whole {type(got).__name__}, expected its digest (a str)",
            hint="`info = await store.put(...)`, then `return info.digest`.",
        )
    ctx.expect_type(got, str, call=call)
    ctx.expect_equal(
        got,
        info.digest,
        call=call,
        hint="Return the digest the store recorded: `info = await store.put(...)`, then "
        "`return info.digest`.",
    )
    ctx.expect(
        (await store.get(name)).data == data,
        f"after {call} the object's bytes are not the bytes given",
        hint="Store `data` itself.",
    )


@criterion("fetch_artefact returns the artefact's bytes, reading only that object")
async def fetches(ctx: CheckContext) -> None:
    store = await bucket(ctx)
    data = payload(4, SIZE)
    for other in ("gru-googl-v1.onnx", "arima-msft-v2.onnx"):
        await store.put(other, payload(len(other), 1000))
    info = await store.put("lstm-aapl-v3.onnx", data)
    call = f"fetch_artefact(js, 'lstm-aapl-v3.onnx', {info.digest!r})"
    spy = await ctx.nc.subscribe("$JS.API.CONSUMER.CREATE.>")
    got = await fetch(ctx, "lstm-aapl-v3.onnx", info.digest)
    await wait_until_processed(ctx.nc)
    filters = []
    while spy.pending_msgs:
        request = json.loads((await spy.next_msg(timeout=0.1)).data)
        filters.append(request.get("config", {}).get("filter_subject"))
    await spy.unsubscribe()
    if isinstance(got, ObjectStore.ObjectResult):
        raise Fail(
            f"{call} returned nats-py's ObjectResult, expected the bytes themselves",
            hint="Return `result.data`.",
        )
    ctx.expect_type(got, bytes, call=call)
    ctx.expect(
        got == data,
        f"{call} returned {len(got)} bytes that are not the object's {SIZE} bytes",
        hint="Return `result.data` of `await store.get(name)`.",
    )
    if INDEX in filters:
        raise Fail(
            f"{call} read the whole bucket's index (a consumer on {INDEX!r}: list() or "
            "watch()) to find one object",
            hint="Ask for the object by its name: `await store.get(name)`. Listing reads one "
            "message per object in the bucket, for every download.",
        )


@criterion("fetch_artefact raises ArtefactMismatch when another file is stored under the name")
async def refuses_another_file(ctx: CheckContext) -> None:
    mismatch = mismatch_class(ctx)
    store = await bucket(ctx)
    tested = await store.put("lstm-aapl.onnx", payload(5, SIZE))
    now = await store.put("lstm-aapl.onnx", payload(6, SIZE))  # someone re-uploaded
    call = f"fetch_artefact(js, 'lstm-aapl.onnx', {tested.digest!r})"
    story = f"the deploy record expects {tested.digest}, the bucket now holds {now.digest}"
    try:
        got = await fetch(ctx, "lstm-aapl.onnx", tested.digest)
    except LearnerError as error:
        if isinstance(error.raised, mismatch):
            return
        raise
    if got is None:
        raise Fail(
            f"{call} returned None, but the object exists ({story}): raise ArtefactMismatch",
            hint=CATCH_HINT,
        )
    what = f"the {len(got)} bytes stored now" if isinstance(got, bytes) else short(got)
    raise Fail(f"{call} returned {what}, although {story}", hint=VERIFY_HINT)


@criterion("fetch_artefact returns None for an object never stored, or deleted")
async def missing_object(ctx: CheckContext) -> None:
    store = await bucket(ctx)
    await store.put("gru-googl-v1.onnx", payload(7, 1000))
    retired = await store.put("lstm-aapl-v1.onnx", payload(8, 1000))
    await store.delete("lstm-aapl-v1.onnx")
    for name, digest, story in [
        ("lstm-aapl-v9.onnx", store_digest(b"never"), "never stored"),
        ("lstm-aapl-v1.onnx", retired.digest, "deleted"),
    ]:
        got = await fetch(ctx, name, digest)
        ctx.expect_equal(
            got,
            None,
            call=f"fetch_artefact(js, {name!r}, ...) for an object {story}",
            hint=NOT_FOUND_HINT,
        )


@criterion("fetch_artefact lets a missing bucket raise, and does not create it")
async def missing_bucket(ctx: CheckContext) -> None:
    call = "fetch_artefact(js, 'lstm-aapl-v3.onnx', ...) with no bucket 'models'"
    try:
        got = await fetch(ctx, "lstm-aapl-v3.onnx", store_digest(b"model"))
    except LearnerError as error:
        if isinstance(error.raised, mismatch_class(ctx)):
            raise
        got = error
    created = await bucket_exists(ctx)
    if created:
        raise Fail(
            f"{call} created the bucket {BUCKET!r}: a fetch must not create it (a typo in a "
            "bucket name would then look like a missing model)",
            hint=f"Open it with `await js.object_store({BUCKET!r})`, which raises "
            "BucketNotFoundError when it does not exist.",
        )
    if not isinstance(got, LearnerError):
        raise Fail(
            f"{call} returned {short(got)}: a missing bucket is a broken deployment, not a "
            "missing model, and should raise (BucketNotFoundError)",
            hint=CATCH_HINT,
        )


CRITERIA = [digest_notation, stores, fetches, refuses_another_file, missing_object, missing_bucket]
