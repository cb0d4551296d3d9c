# mistake: msg.ack() without await: the coroutine is never run, so no bar is ever acknowledged
#   and every bar comes back after ack_wait
# expect: the server received no ack for any bar
# expect: without `await` it is never sent


async def run_predictor(
    js: JetStreamContext, stop: asyncio.Event, *, batch: int = BATCH, wait: float = WAIT
) -> int:
    """Run the predictor until ``stop`` is set; return how many bars it handled.

    * The durable pull consumer ``DURABLE`` exists on ``STREAM``: bind to it
      (``js.pull_subscribe_bind``), so a restarted predictor continues where the last
      one stopped.
    * Loop until ``stop`` is set: fetch up to ``batch`` bars, waiting at most ``wait``
      seconds. An empty fetch (nats-py raises a timeout, or returns ``[]``) means
      "nothing yet": look at ``stop`` and fetch again.
    * For each bar (``gym.messages.decode(msg.data)``): ``make_prediction``, then publish
      it with ``js.publish`` to ``predictions.normal.<TICKER>`` (``gym.messages.encode``)
      with a ``Nats-Msg-Id`` header derived from the bar, so that publishing the same bar
      again (after a redelivery) is recognised by the stream as a duplicate.
    * Acknowledge the bar only after the publish returned (the stream stored the
      prediction). If the publish raises, do not acknowledge: let the error propagate,
      and the bar is delivered again to the next predictor.
    * When ``stop`` is set, finish the bars in hand, unsubscribe, and return the count.
    """
    psub = await js.pull_subscribe_bind(DURABLE, stream=STREAM)
    handled = 0
    try:
        while not stop.is_set():
            try:
                msgs = await psub.fetch(batch, timeout=wait)
            except TimeoutError:  # nats' TimeoutError or asyncio's: both the builtin on 3.11+
                continue  # nothing yet: look at stop, then fetch again
            for msg in msgs:
                prediction = make_prediction(decode(msg.data))
                await js.publish(
                    f"predictions.normal.{prediction['ticker']}",
                    encode(prediction),
                    # the bar's own sequence in MARKET_DATA: the same bar gives the same id
                    headers={"Nats-Msg-Id": f"{DURABLE}-{msg.metadata.sequence.stream}"},
                )
                # Only now, with the prediction stored, may the bar be forgotten.
                msg.ack()
                handled += 1
    finally:
        await psub.unsubscribe()  # the durable stays on the server for the next predictor
    return handled
