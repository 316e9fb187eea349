"""slow: sleeps for ?ms=<milliseconds> (default 2000) before answering.

Give it more than FUNCTION_TIMEOUT_SECONDS to see the 504, or send SIGTERM while it runs to see the
runtime finish it before exiting. The async form lets one process wait on many of these at once.
"""

import asyncio


async def handle(event, context):
    ms = float(event["query"].get("ms") or 2000)
    context.log.info("sleeping", ms=ms, remainingMs=context.get_remaining_time_ms())
    await asyncio.sleep(ms / 1000)
    return {"sleptMs": ms}
