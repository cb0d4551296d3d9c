# mistake: deploy writes with put: the last writer wins and the other deployment is lost
# expect: a lost update


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
    new_revision = await kv.put(ticker, value)  # whoever writes last wins
    return Deployment(True, version, new_revision)
