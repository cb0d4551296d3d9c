# mistake: waits for the acks with publish_async_completed() alone, ignoring timeout: one lost
#   ack and the caller waits forever
# expect: was still waiting
# expect: asyncio.wait_for(js.publish_async_completed(), timeout)


async def publish_batch(
    js: JetStreamContext, predictions: Sequence[Prediction], *, timeout: float = 10.0
) -> list[PubAck]:
    """Publish every prediction; return their acknowledgements (``PubAck``), in order.

    * Send each prediction to ``prediction.subject`` with the header
      ``Nats-Msg-Id: prediction.msg_id`` (``Header.MSG_ID``): sent twice, it is stored once.
    * Do not wait for one acknowledgement before sending the next: ``js.publish_async``
      sends at once and returns a future that resolves to the ``PubAck``.
    * Return only when every acknowledgement has arrived (at most ``timeout`` seconds:
      nats-py's futures have no timeout of their own, ``asyncio.wait_for`` gives one).
    * If the server refused a prediction, raise that error: it was not stored.
    """
    futures = [
        await js.publish_async(p.subject, p.data, headers={Header.MSG_ID: p.msg_id})
        for p in predictions
    ]
    await js.publish_async_completed()
    return [future.result() for future in futures]  # result() raises a refused publish's error
