# mistake: after a conflict deploy reports its own stale view instead of reading the ticker again
# expect: read the ticker again and report what serves it now


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
            new_revision = await kv.create(ticker, value)  # only if absent (or deleted)
        else:
            new_revision = await kv.update(ticker, value, last=revision)  # only if unchanged
    except KeyWrongLastSequenceError:
        # Someone deployed (or removed the model) after we read `revision`: they won.
        return Deployment(False, version, revision)
    return Deployment(True, version, new_revision)
