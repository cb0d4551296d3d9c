# mistake: the explainer answers errors, but as a plain-text payload, not in the headers
# expect: expected an error reply with the headers Nats-Service-Error


async def start_explainer(nc: Client, subject: str, name: str) -> Subscription:

    async def explain(msg: Msg) -> None:
        try:
            ticker = msg.data.decode()
            text = f"{ticker}: momentum and earnings expectations drive the prediction"
            answer = messages.envelope("explanation", ticker, {"text": text}, answered_by=name)
        except (UnicodeDecodeError, messages.InvalidMessage) as error:
            await msg.respond(f"error: {error}".encode())
            return
        await msg.respond(messages.encode(answer))

    subscription = await nc.subscribe(subject, queue=QUEUE_GROUP, cb=explain)
    await nc.flush()  # lets nats-py's writer send the queued SUB...
    await nc.flush()  # ...and this PING follows it: the PONG proves the server has it
    return subscription
