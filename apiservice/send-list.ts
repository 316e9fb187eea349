// A list answer of the backing server passed on as it arrives, translated element by element
// (translate-stream.ts); an answer the stream cannot take is read whole and translated as any
// other (translate-bytes.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotScannable } from './json-bytes.ts';
import { answerToPublic } from './translate-bytes.ts';
import { ListAnswerStream } from './translate-stream.ts';

export async function sendListAnswer(
  response: IncomingMessage,
  res: ServerResponse,
  contentType: string,
): Promise<void> {
  const status = response.statusCode ?? 500;
  const stream = new ListAnswerStream();
  /** Everything received while nothing has been sent: the buffered path's input. */
  let held: Buffer[] | undefined = [];
  let streaming = true;
  let sent = false;
  const send = (parts: Buffer[]) => {
    if (parts.length === 0) return;
    if (!sent) res.writeHead(status, { 'content-type': contentType });
    sent = true;
    held = undefined;
    for (const part of parts) res.write(part);
  };
  const stop = (error: unknown) => {
    if (!(error instanceof NotScannable)) throw error;
    // Bytes are out and the rest cannot follow them: the client must see a cut answer.
    if (sent) throw error;
    streaming = false;
  };
  for await (const chunk of response) {
    held?.push(chunk as Buffer);
    if (!streaming) continue;
    try {
      send(stream.push(chunk as Buffer));
    } catch (error) {
      stop(error);
    }
  }
  if (streaming) {
    try {
      const rest = stream.end();
      if (sent) {
        res.end(rest);
        return;
      }
    } catch (error) {
      stop(error);
    }
  }
  const answer = answerToPublic(Buffer.concat(held ?? []));
  res.writeHead(status, { 'content-type': contentType, 'content-length': answer.length });
  res.end(answer);
}
