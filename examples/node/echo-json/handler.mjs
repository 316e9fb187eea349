// echo-json: returns the JSON body it was sent (content type application/json), 400 on other bodies.
// An ES module (.mjs); `export default { handle }` works too.
export function handle(event) {
  const { body } = event;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    return {
      statusCode: 400,
      body: { error: { type: 'BadRequest', message: 'send a JSON body (content-type: application/json)' } },
    };
  }
  return body;
}
