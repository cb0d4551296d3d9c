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
            "deliveries: `sub = await nc.subscribe(pattern)`, publish to each subject, then `await wait_until_processed(nc)` so the server has handled every publish, and take the `sub.pending_msgs` messages with `await sub.next_msg()`; `await sub.unsubscribe()` in a `finally:`.",
            "every_prediction is one line: `return await deliveries(nc, PATTERN, subjects)`. A prediction subject has two tokens after 'predictions' and may get more: '*' stands for exactly one token, '>' for one or more at the end.",
            "receivers: split on dots and compare token by token (`subject.split('.')`). Without '>' the subject needs exactly as many tokens as the pattern; '>' (last token only) needs MORE tokens than the pattern has before it, so predictions.> does not receive predictions.",
            "prediction_subject: check `kind in KINDS`, `ticker != ''` and that no character of FORBIDDEN_IN_A_TOKEN is in ticker, raising ValueError(...) otherwise; then return f'predictions.{kind}.{ticker}'.",
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
            "Every delivery gets exactly one answer, sent after `process(msg.data)` has run: "
            "`await msg.ack()`, `await msg.nak(...)` or `await msg.term()`. Wrap the call in "
            "try/except and pick one; an ack before processing cannot be taken back.",
            "Order the except clauses: `except PoisonError` first (term), then "
            "`except Exception` (nak), so everything unexpected is retried; ack after the "
            "try succeeds.",
            "A plain `nak()` is redelivered at once, whatever the consumer's backoff says: "
            "use `await msg.nak(delay=retry_delay)` (seconds).",
            "work_batch: `try: msgs = await psub.fetch(batch, timeout=timeout)` / "
            "`except TimeoutError: return {}`, then count `await handle(msg, process, "
            "retry_delay=retry_delay)` for each message in a dict — pass retry_delay on, or "
            "handle naks with its default.",
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
            "nats.js.errors.NoStreamResponseError — and let every other error through. Not "
            "`except Exception:`, and never a bare `except:`: it also catches the cancellation "
            "meant to stop your function.",
            "Wait with `await asyncio.sleep(...)`, never `time.sleep` (it freezes the event "
            "loop, acks included), and count the attempts: a `for` loop, not `while True`.",
            "A `for attempt in range(1, attempts + 1)` loop: `return await js.publish(subject, "
            "data, timeout=timeout, headers={Header.MSG_ID: msg_id})`; in `except RETRYABLE:` "
            "re-raise when attempt == attempts; then "
            "`await asyncio.sleep(backoff * 2 ** (attempt - 1))`.",
        ),
    ),
    Exercise(
        id="ex09",
        title="The predictor stage, end to end",
        notebook="09_prediction_pipeline.ipynb",
        file="ex09_predictor.py",
        hints=(
            "make_prediction is pure Python: read bar['data']['close'], build the four-field envelope and copy bar['metadata'] into the new metadata. run_predictor has the shape of the stage notebook 09 writes out: bind, loop, fetch, publish, ack.",
            "Why that order and that id: if the publish raises, the bar was not acked and comes back; if the process dies after the publish, the bar comes back too, and its second publish carries the same id, which the stream drops as a duplicate (within its duplicate_window).",
            "The durable exists: `psub = await js.pull_subscribe_bind(DURABLE, stream=STREAM)`. Loop `while not stop.is_set():`; `try: msgs = await psub.fetch(batch, timeout=wait)` / `except asyncio.TimeoutError: continue` (an empty fetch is normal). Unsubscribe in a `finally:`.",
            "Per bar: `prediction = make_prediction(decode(msg.data))`, then `await js.publish(f\"predictions.normal.{prediction['ticker']}\", encode(prediction), headers={'Nats-Msg-Id': f'predictor-{msg.metadata.sequence.stream}'})`, and only after that `await msg.ack()`; count it.",
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
            "server_summary: `connections` in /varz counts the clients connected now (`total_connections` counts every client since the start); JetStream is on when /varz's `jetstream` holds a `config` — the key itself is always there.",
            "Stuck means num_ack_pending has reached config.max_ack_pending (the server sends nothing more); lagging means num_pending > max_pending. Check stuck first.",
        ),
    ),
    Exercise(
        id="ex15",
        title="A publisher that survives a crashed stream leader",
        notebook="15_clustering_and_failover.ipynb",
        file="ex15_failover_publish.py",
        hints=(
            'Notebook 15\'s publish_until_acked is most of it: one message at a time, the same Nats-Msg-Id on every attempt, retried after TimeoutError or NoStreamResponseError. What ex15 adds: an id per payload (f"{prefix}-{i}"), a ceiling on the backoff, a deadline per payload, and the list of acks.',
            "No fixed number of attempts: while the cluster elects (4 to 9 s) every attempt fails at once, so three quick retries are gone in a quarter of a second. Give each payload a deadline, `give_up_at = loop.time() + give_up_after`, and re-raise only after it.",
            "Between attempts `await asyncio.sleep(wait)`, then `wait = min(wait * 2, max_backoff)`; start every payload at `wait = backoff`. Catch only RETRYABLE — a bare `except:` also swallows the cancellation meant to stop you.",
            'Shape: `for index, payload in enumerate(payloads):` headers = {Header.MSG_ID: f"{prefix}-{index}"}; `while True: try: acks.append(await js.publish(subject, payload, timeout=timeout, headers=headers)); break` / `except RETRYABLE: if loop.time() >= give_up_at: raise` / `await asyncio.sleep(wait); wait = min(wait * 2, max_backoff)`; return acks.',
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
