"""The ordered list of exercises: the one place that says what exists and in which order."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Exercise", "EXERCISES", "UnknownExercise", "get"]


class UnknownExercise(KeyError):
    """No exercise has that id; the message lists the ones there are."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Exercise:
    """One exercise: where it is taught, which file the learner edits, and hints to unblock."""

    id: str
    title: str
    notebook: str
    file: str
    hints: tuple[str, ...]


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        id="ex01",
        title="Subjects and wildcards",
        notebook="01_subjects_and_wildcards.ipynb",
        file="ex01_subjects.py",
        hints=(
            "Split on dots and compare token by token: subject.split('.') gives the tokens.",
            "'*' stands for exactly one token, so without '>' the subject needs exactly as "
            "many tokens as the pattern: predictions.* does not receive predictions.normal.AAPL.",
            "'>' (last token only) stands for one or more tokens: the subject needs MORE tokens "
            "than the pattern has before the '>', so predictions.> does not receive predictions.",
            "prediction_subject: check `kind in KINDS`, `ticker != ''` and that no character of "
            "FORBIDDEN_IN_A_TOKEN is in ticker, raising ValueError(...) otherwise; then return "
            "f'predictions.{kind}.{ticker}'.",
        ),
    ),
    Exercise(
        id="ex02",
        title="Core publish/subscribe",
        notebook="02_core_pubsub.ipynb",
        file="ex02_core_pubsub.py",
        hints=(
            "publish_all: nc.publish only queues the message inside nats-py; "
            "`await nc.flush()` after the loop sends the buffer and waits for the server. "
            "collect: `sub.next_msg(timeout=...)` waits for one message and raises "
            "nats.errors.TimeoutError when none comes in time.",
            "collect: take a deadline once, `loop.time() + timeout`, and give each next_msg "
            "only what is left of it; on TimeoutError stop and return what you have. Put "
            "`await sub.unsubscribe()` in a `finally:` so it runs on every way out.",
            "queue_worker: `async def handle(msg): handled.append(msg.data)` inside the "
            "function, then `return await nc.subscribe(subject, queue=queue, cb=handle)`.",
        ),
    ),
    Exercise(
        id="ex03",
        title="Publish predictions to JetStream",
        notebook="03_jetstream.ipynb",
        file="ex03_jetstream_publish.py",
        hints=(
            "js.publish is a request: it returns a PubAck whose .stream and .seq say where "
            "the message was stored. nc.publish returns None and tells you nothing.",
            'Subject: f"predictions.normal.{ticker}". Payload: messages.encode(messages.envelope('
            '"prediction", ticker, data)), with data = the prediction minus its "ticker" key.',
            "In the loop: ack = await js.publish(subject, payload); stored.append((ack.stream, "
            "ack.seq)). Return the list after the loop.",
            "where_stored: try: ack = await js.publish(subject, payload) / except "
            "NoStreamResponseError: return None / return ack.stream, ack.seq.",
        ),
    ),
    Exercise(
        id="ex04",
        title="A stream to a written spec",
        notebook="04_streams.ipynb",
        file="ex04_streams.py",
        hints=(
            "Build one nats.js.api.StreamConfig with a field for each row of the spec, then "
            "`await js.add_stream(config)`. Every duration is in seconds: nats-py converts.",
            "Subjects: `*` is exactly one token, `>` one or more, so market.data.ohlcv.AAPL "
            "needs market.data.>. Durations: max_age=7 * 24 * 60 * 60, duplicate_window=5 * 60.",
            "Create-or-update: add_stream raises BadRequestError with err_code 10058 when the "
            "name exists with another config; then `return await js.update_stream(config)`.",
            "publish_bar: `await js.publish(f'market.data.ohlcv.{ticker}', bar, "
            "headers={'Nats-Msg-Id': f'{ticker}:{timestamp}'})` and return the ack.",
        ),
    ),
    Exercise(
        id="ex05",
        title="A pull worker that drains a backlog",
        notebook="05_consumers.ipynb",
        file="ex05_pull_worker.py",
        hints=(
            "The consumer already exists: `psub = await js.pull_subscribe_bind(durable, "
            "stream=stream)` gives you something to fetch from. Then loop: fetch a batch, "
            "handle and ack each message, fetch again.",
            "Stop when a fetch finds nothing. nats-py usually raises nats.errors.TimeoutError "
            "for that, now and then asyncio's own TimeoutError or an empty list: "
            "`except asyncio.TimeoutError:` catches both raises; treat [] the same way.",
            "For each message: `await handle(msg)`, then `await msg.ack()`, then count it. "
            "Put `await psub.unsubscribe()` in a `finally:` so the inbox closes however the "
            "loop ends.",
            "Shape: `try: while True: try: msgs = await psub.fetch(batch, timeout=wait) "
            "except asyncio.TimeoutError: msgs = []` / `if not msgs: break` / "
            "`for msg in msgs: ...` `finally: await psub.unsubscribe()`; return the count.",
        ),
    ),
    Exercise(
        id="ex06",
        title="Ack, nak with delay, terminate",
        notebook="06_acks_and_redelivery.ipynb",
        file="ex06_acks.py",
        hints=(
            "Every message gets exactly one verdict: `await msg.ack()`, `await msg.nak(...)` "
            "or `await msg.term()`. Wrap `process(msg.data)` in try/except and pick one.",
            "Order the except clauses: `except PoisonError` first (term), then "
            "`except Exception` (nak), so everything unexpected is retried; ack after the "
            "try succeeds.",
            "A plain `nak()` is redelivered at once, whatever the consumer's backoff says: "
            "use `await msg.nak(delay=retry_delay)` (seconds).",
            "work_batch: `try: msgs = await psub.fetch(batch, timeout=timeout)` / "
            "`except asyncio.TimeoutError: return {}`, then count `await handle(msg, process, "
            "retry_delay=retry_delay)` for each message in a dict.",
        ),
    ),
    Exercise(
        id="ex07",
        title="A responder and a careful client",
        notebook="07_request_reply.ipynb",
        file="ex07_request_reply.py",
        hints=(
            "A responder is a subscriber that answers each message with "
            "`await msg.respond(data)`; a requester calls `await nc.request(subject, data, "
            "timeout=...)`. Notebook 07 has both, and the queue-group demo.",
            "start_explainer: subscribe with `queue=QUEUE_GROUP` and a callback; in it, "
            "`ticker = msg.data.decode()` and reply with `messages.encode(messages.envelope("
            "'explanation', ticker, {'text': ...}, answered_by=name))`.",
            "ask: `nc.request` raises `nats.errors.NoRespondersError` at once when nobody "
            "listens and `nats.errors.TimeoutError` after `timeout` when the responder is "
            "slow. The first is not a subclass of the second: give each its own `except`.",
            "ask, nearly all of it: `try: reply = await nc.request(subject, ticker.encode(), "
            "timeout=timeout)`, `except NoRespondersError: return NO_RESPONDERS, None`, "
            "`except TimeoutError: return TIMEOUT, None`, then "
            "`return ANSWERED, messages.decode(reply.data)`.",
        ),
    ),
    Exercise(
        id="ex08",
        title="A safe publish with bounded retries",
        notebook="08_errors_and_resilience.ipynb",
        file="ex08_safe_publish.py",
        hints=(
            "A retry is only safe if the stream can recognise it: send the same "
            "Nats-Msg-Id header with every attempt (nats-py's js.publish has no msg_id= "
            "argument; use headers=).",
            "Retry only when no ack came — nats.errors.TimeoutError and "
            "nats.js.errors.NoStreamResponseError — and let every other error through.",
            "A `for attempt in range(1, attempts + 1)` loop: `return await js.publish(subject, "
            "data, timeout=timeout, headers={Header.MSG_ID: msg_id})`; in `except RETRYABLE:` "
            "re-raise when attempt == attempts; then "
            "`await asyncio.sleep(backoff * 2 ** (attempt - 1))`.",
        ),
    ),
    Exercise(
        id="ex09",
        title="The predictor stage of the pipeline",
        notebook="09_prediction_pipeline.ipynb",
        file="ex09_predictor.py",
        hints=(
            "make_prediction is pure Python: read bar['data']['close'] and build the four-field envelope; copy bar['metadata'] into the new metadata.",
            "run_predictor does not need its own loop: gym.pipeline.run_stage fetches, publishes with a message id, acks after the publish ack, and stops when stop is set and nothing is pending.",
            "The bars arrive on market.data.ohlcv.<TICKER>, four tokens: the filter must be market.data.ohlcv.> (or market.data.ohlcv.*), not market.data.*.",
            "return await run_stage(js, stream='MARKET_DATA', durable='predictor', filter_subject='market.data.ohlcv.>', handle=lambda bar: Output(f\"predictions.normal.{bar['ticker']}\", make_prediction(bar)), stop=stop)",
        ),
    ),
    Exercise(
        id="ex10",
        title="A health report from monitoring data",
        notebook="10_monitoring.ipynb",
        file="ex10_health_report.py",
        hints=(
            "Each function reads one or two endpoints: gym.monitor.healthz / varz / jsz(monitor_url, consumers=1, config=1) return plain dicts.",
            "In /jsz the consumers sit under account_details → stream_detail → consumer_detail; a stream with no consumers has no consumer_detail key, so use .get(..., []) or `or []`.",
            "Stuck means num_ack_pending has reached config.max_ack_pending (the server sends nothing more); lagging means num_pending > max_pending. Check stuck first.",
        ),
    ),
    Exercise(
        id="ex13",
        title="Per-ticker state without lost updates",
        notebook="13_stream_topology.ipynb",
        file="ex13_ticker_state.py",
        hints=(
            "read_state: `js.get_last_msg(STREAM, subject)` gives the last message on one subject, with its .seq; it raises nats.js.errors.NotFoundError when the subject has none, which means (None, 0).",
            "update_state: publish with headers={'Nats-Expected-Last-Subject-Sequence': str(seq)}, seq being what read_state returned (\"0\" for a new ticker). Header values must be strings.",
            "A refusal is an APIError with err_code 10071: go round the loop again, reading the state AND calling change on the fresh state. Retrying the same publish only meets the same refusal.",
            "Shape: `for attempt in range(1, attempts + 1): state, seq = await read_state(js, ticker); new = change(state); try: ack = await js.publish(subject, json.dumps(new).encode(), headers=...) except APIError as e: if e.err_code != 10071 or attempt == attempts: raise; continue; return new, ack.seq`.",
        ),
    ),
    Exercise(
        id="ex14",
        title="A fast batch publisher, every prediction acknowledged once",
        notebook="14_performance_lab.ipynb",
        file="ex14_fast_publish.py",
        hints=(
            "`await js.publish` waits a whole round trip before the next message leaves. `js.publish_async(subject, data, headers=...)` sends at once and returns a future that becomes the PubAck.",
            "Keep every future in a list, in the order of the predictions. After the loop, wait for all of them once: `await asyncio.wait_for(js.publish_async_completed(), timeout)`.",
            "Return `[future.result() for future in futures]`: result() gives each PubAck, and raises the error of a publish the server refused.",
            "Each publish carries headers={Header.MSG_ID: p.msg_id}; the id names the prediction, so the same batch sent again is stored once.",
        ),
    ),
)


def get(exercise_id: str) -> Exercise:
    """The exercise with this id (``"ex03"``, ``"3"`` and ``"03"`` all work)."""
    wanted = exercise_id.strip().lower()
    if wanted.isdigit():
        wanted = f"ex{int(wanted):02d}"
    for exercise in EXERCISES:
        if exercise.id == wanted:
            return exercise
    known = ", ".join(e.id for e in EXERCISES)
    raise UnknownExercise(f"No exercise {exercise_id!r}; the exercises are {known}.")
