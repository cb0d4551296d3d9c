# mistake: the explainer never replies when a request is not a ticker: its callback raises
# expect: the explainer received it but did not answer
# expect: answer the failure
# expect: a subscription callback raised InvalidMessage


async def start_explainer(nc: Client, subject: str, name: str) -> Subscription:

    async def explain(msg: Msg) -> None:
        ticker = msg.data.decode()
        text = f"{ticker}: momentum and earnings expectations drive the prediction"
        answer = messages.envelope("explanation", ticker, {"text": text}, answered_by=name)
        await msg.respond(messages.encode(answer))

    subscription = await nc.subscribe(subject, queue=QUEUE_GROUP, cb=explain)
    await nc.flush()  # lets nats-py's writer send the queued SUB...
    await nc.flush()  # ...and this PING follows it: the PONG proves the server has it
    return subscription
