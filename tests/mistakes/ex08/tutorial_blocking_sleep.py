# mistake: the tutorial's safe_publish: retries anything, no message id, blocking time.sleep(1)
# expect: time.sleep(1) blocks the event loop

import time

from nats.js.api import PubAck


async def safe_publish(
    js: JetStreamContext,
    subject: str,
    data: bytes,
    msg_id: str,
    *,
    attempts: int = 3,
    timeout: float = 0.5,
    backoff: float = 0.1,
) -> PubAck:
    max_retries = 3

    for attempt in range(max_retries):
        try:
            ack = await js.publish(subject, data)
            return ack
        except Exception as e:
            if attempt == max_retries - 1:
                print(f"Failed to publish after {max_retries} attempts: {e}")
                raise
            time.sleep(1)  # Wait before retry
