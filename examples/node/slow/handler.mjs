// slow: waits ?ms=<milliseconds> (default 2000) before answering.
//
// Give it more than FUNCTION_TIMEOUT_SECONDS to see the 504 (context.signal is aborted then, so the
// wait stops), or send SIGTERM while it runs to see the runtime finish it before exiting.
import { setTimeout as sleep } from 'node:timers/promises';

export async function handle(event, context) {
  const ms = Number(event.query.ms || 2000);
  context.log.info('sleeping', { ms, remainingMs: context.getRemainingTimeMs() });
  await sleep(ms, undefined, { signal: context.signal });
  return { sleptMs: ms };
}
