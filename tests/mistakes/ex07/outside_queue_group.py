# mistake: the explainer subscribes without the queue group, so every copy answers
# expect: 20 requests were delivered 40 times to two explainers
# expect: Every explainer must join the same queue group


async def start_explainer(nc: Client, subject: str, name: str) -> Subscription:

    async def explain(msg: Msg) -> None:
        try:
            ticker = msg.data.decode()
            text = f"{ticker}: momentum and earnings expectations drive the prediction"
            # envelope() checks the ticker (letters and digits): it raises InvalidMessage.
            answer = messages.envelope("explanation", ticker, {"text": text}, answered_by=name)
        except (UnicodeDecodeError, messages.InvalidMessage) as error:
            # Silence would cost the requester its whole timeout: say what is wrong, now.
            failure = {ERROR_HEADER: f"not a ticker: {error}", ERROR_CODE_HEADER: "400"}
            await nc.publish(msg.reply, b"", headers=failure)
            return
        await msg.respond(messages.encode(answer))

    subscription = await nc.subscribe(subject, cb=explain)
    await nc.flush()  # lets nats-py's writer send the queued SUB...
    await nc.flush()  # ...and this PING follows it: the PONG proves the server has it
    return subscription
