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
            "where_stored: `try: ack = await js.publish(subject, payload)` / `except "
            "NoStreamResponseError: return None` — that error only: any other (a payload over "
            "max_payload, a closed connection) must reach the caller — / `return ack.stream, ack.seq`.",
        ),
    ),
    Exercise(
        id="ex04",
        title="A stream to a written spec",
        notebook="04_streams.ipynb",
        file="ex04_streams.py",
        hints=(
            "Build one nats.js.api.StreamConfig with a field for each row of the spec, then "
            "`await js.add_stream(config)`. Every duration is in seconds: nats-py converts. "
            "retention= is a policy (RetentionPolicy.LIMITS); how long messages stay is max_age.",
            "Subjects: `*` is exactly one token, `>` one or more, so market.data.ohlcv.AAPL "
            "needs market.data.>. Durations: max_age=7 * 24 * 60 * 60, duplicate_window=5 * 60. "
            "Sizes: GiB is 1024**3 bytes, so max_bytes=10 * 1024**3 (not 10 * 1000**3).",
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
            "stream=stream)` gives you something to fetch from (`js.pull_subscribe(subject, ...)` "
            "looks the stream up by subject and raises NotFoundError when none captures it). "
            "Then loop: fetch a batch, handle and ack each message, fetch again.",
            "Stop at the first empty fetch: `psub.fetch(batch, timeout=wait)` raises "
            "TimeoutError after `wait` seconds when nothing came (now and then it returns [] "
            "instead). On Python 3.11+ `except TimeoutError:` catches nats' and asyncio's.",
            "For each message: `await handle(msg)`, then `await msg.ack()`, then count it — in "
            "that order, with no `except` around handle: if handle raises, the message stays "
            "unacknowledged (the server redelivers it) and the error reaches the caller. Put "
            "`await psub.unsubscribe()` in a `finally:` so the inbox closes however the loop ends.",
            "Shape: `try: while True: try: msgs = await psub.fetch(batch, timeout=wait) "
            "except TimeoutError: msgs = []` / `if not msgs: break` / `for msg in msgs: await "
            "handle(msg); await msg.ack(); processed += 1` `finally: await psub.unsubscribe()`; "
            "return processed.",
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
            "'explanation', ticker, {'text': ...}, answered_by=name))`. Both raise for a request "
            "that is not a ticker (UnicodeDecodeError, messages.InvalidMessage): catch them and "
            "answer with `await nc.publish(msg.reply, b'', headers={ERROR_HEADER: str(error), "
            "ERROR_CODE_HEADER: '400'})` — an exception in a callback is silent.",
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
        id="ex11",
        title="A model registry with compare-and-set",
        notebook="11_key_value.ipynb",
        file="ex11_model_registry.py",
        hints=(
            "serving: `entry = await kv.get(ticker)` gives entry.value (bytes) and "
            "entry.revision; kv.get raises KeyNotFoundError for a ticker never deployed, "
            "deleted or purged.",
            "deploy must never use put: `await kv.update(ticker, version.encode(), "
            "last=revision)` is refused with KeyWrongLastSequenceError when the ticker changed "
            "after `revision`; for revision 0 use `await kv.create(ticker, ...)`.",
            "deploy's conflict path: `except KeyWrongLastSequenceError:` read the ticker again "
            "with serving() and return Deployment(False, version_now, revision_now), or "
            "Deployment(False, None, 0) when none serves it.",
            "follow_registry: `watcher = await kv.watchall()`, then `while not stop.is_set():` "
            "get `entry = await watcher.updates(timeout=STOP_POLL)` (`except TimeoutError: "
            "continue`); `if entry is None: ready.set(); continue`.",
            "For an entry: `None if entry.operation in ('DEL', 'PURGE') else "
            "entry.value.decode()`, then `await apply(entry.key, version, entry.revision)` and "
            "count it; `finally: await watcher.stop()`, then return the count.",
        ),
    ),
    Exercise(
        id="ex12",
        title="Model artefacts verified by digest",
        notebook="12_object_store.ipynb",
        file="ex12_model_artefacts.py",
        hints=(
            "sha256_digest: `hashlib.sha256(data).digest()` gives 32 raw bytes; the store "
            "writes them as 'SHA-256=' + base64.urlsafe_b64encode(...).decode().",
            "store_artefact: `store = await js.create_object_store(BUCKET)`, then `info = await "
            "store.put(name, data, meta=ObjectMeta(name=name, "
            "options=ObjectMetaOptions(max_chunk_size=chunk_size)))` and return info.digest.",
            "fetch_artefact: open the bucket with `await js.object_store(BUCKET)` (outside any "
            "try: a missing bucket must raise), then `result = await store.get(name)` inside "
            "`try: ... except ObjectNotFoundError: return None`.",
            "Then verify: `if sha256_digest(result.data) != digest: raise "
            "ArtefactMismatch(...)`, else `return result.data`.",
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
    Exercise(
        id="ex16",
        title="Permissions for the pipeline's services",
        notebook="16_security.ipynb",
        file="ex16_permissions.py",
        hints=(
            "Each service gets one block, {'publish': ..., 'subscribe': ..., 'allow_responses': ...}. Read the spec line by line and put every subject it allows into an allow list: with an allow list, everything not on it is refused, which is the point.",
            "Wildcards work as in subscriptions: `*` is exactly one token and `>` one or more at the end, so predictions.> allows predictions.normal.AAPL and predictions.* does not. To allow nothing, deny '>' (an empty allow list allows everything).",
            "Request-reply needs both sides: the predictor publishes to svc.explain and must be allowed to subscribe to _INBOX.> (nc.request waits for the answer there); the explainer answers with 'allow_responses': True, not with publish rights on _INBOX.>.",
            "feed: {'publish': {'allow': ['market.data.>']}, 'subscribe': {'deny': ['>']}}; predictor: publish allow ['predictions.>', 'svc.explain'], subscribe allow ['market.data.>', '_INBOX.>']; explainer: publish allow ['explanations.>'], subscribe allow ['predictions.>', 'svc.explain'], 'allow_responses': True.",
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
