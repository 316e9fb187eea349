// A second baseline: bare Express 5 doing what the echo function does, with the runtime's one
// Express-specific measure (requests born with Express's prototypes, docs/decisions/0102). The gap
// between this and raw-server.mjs is what Express itself costs; the runtime cannot go below it.
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
function Request(socket) {
  IncomingMessage.call(this, socket);
}
Request.prototype = app.request;
function Response(req, options) {
  ServerResponse.call(this, req, options);
}
Response.prototype = app.response;
createServer({ IncomingMessage: Request, ServerResponse: Response }, app).listen(
  Number(process.env.PORT ?? 8080),
  process.env.HOST ?? '127.0.0.1',
);
process.on('SIGTERM', () => process.exit(0));
