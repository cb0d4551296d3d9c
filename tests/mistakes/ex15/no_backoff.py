# mistake: retries at once, in a tight loop, while the stream has no leader
# expect: hammering the servers


async def publish_all(
    js: JetStreamContext,
    subject: str,
    payloads: list[bytes],
    *,
    prefix: str,
    timeout: float = 0.5,
    backoff: float = 0.05,
    max_backoff: float = 0.5,
    give_up_after: float = 30.0,
) -> list[PubAck]:
    """Publish the payloads on ``subject``, one after the other; return their ``PubAck``s.

    * Payload number ``i`` (from 0) carries the header ``Nats-Msg-Id: f"{prefix}-{i}"``
      (``Header.MSG_ID``), the same on every attempt.
    * Each attempt waits at most ``timeout`` seconds for its acknowledgement.
    * After an error in ``RETRYABLE``, wait and publish the same payload again: ``backoff``
      seconds after its first failure, twice as long after each further one, but never more
      than ``max_backoff`` seconds.
    * Once ``give_up_after`` seconds have passed since a payload's first attempt, raise the
      error its last attempt got. Raise any other error at once.

    Return one ``PubAck`` per payload, in order (a retry whose first attempt was stored
    after all comes back with that attempt's ``seq`` and ``duplicate=True``).
    """
    loop = asyncio.get_running_loop()
    acks: list[PubAck] = []
    for index, payload in enumerate(payloads):
        headers = {Header.MSG_ID: f"{prefix}-{index}"}
        give_up_at = loop.time() + give_up_after
        while True:
            try:
                acks.append(await js.publish(subject, payload, timeout=timeout, headers=headers))
                break
            except RETRYABLE:
                if loop.time() >= give_up_at:
                    raise
                continue  # straight back at it: no wait at all
    return acks
