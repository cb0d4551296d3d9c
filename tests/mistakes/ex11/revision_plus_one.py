# mistake: deploy reports revision + 1 as the new revision, as if each ticker counted its own
#   revisions; the bucket counts every write
# expect: a revision counts every write to the bucket
# expect: kv.update(...)` and `kv.create(...)` return it


async def deploy(kv: KeyValue, ticker: str, version: str, *, revision: int) -> Deployment:
    """Make ``version`` serve ``ticker`` — only if the entry is still at ``revision``.

    ``revision`` is what you read before deciding to deploy (``serving`` gives it); 0 means
    "the ticker has no model yet" (never deployed, or removed).

    * Write with compare-and-set, never a plain ``put``: ``kv.update(ticker, value,
      last=revision)``, or ``kv.create(ticker, value)`` for revision 0 (``create`` also
      works for a ticker whose entry was deleted; ``update`` with ``last=0`` does not).
      Won: return ``Deployment(True, version, <the new revision>)``.
    * Someone changed the ticker since ``revision``: nats-py raises
      ``KeyWrongLastSequenceError`` and nothing was written. Do not retry and do not
      overwrite: read the ticker again and return ``Deployment(False, <the version serving
      now>, <its revision>)`` — ``Deployment(False, None, 0)`` if none serves it.
    """
    value = version.encode()
    try:
        if revision == 0:
            await kv.create(ticker, value)  # only if absent (or deleted)
        else:
            await kv.update(ticker, value, last=revision)  # only if unchanged
        new_revision = revision + 1  # the ticker's next revision
    except KeyWrongLastSequenceError:
        # Someone deployed (or removed the model) after we read `revision`: they won.
        now = await serving(kv, ticker)
        if now is None:
            return Deployment(False, None, 0)
        return Deployment(False, *now)
    return Deployment(True, version, new_revision)
