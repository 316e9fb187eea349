// error: throws on every call. The runtime answers 500 {"error":{"type":"Error",...}} and keeps serving.
class PaymentDeclined extends Error {}

exports.handle = async (event) => {
  if (event.query.kind === 'custom') throw new PaymentDeclined('card ending 4242 was declined');
  throw new Error('something went wrong in the function');
};
