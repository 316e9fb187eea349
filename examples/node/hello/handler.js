// hello: the smallest function, as CommonJS. GET or POST anything, get a greeting back as text.
exports.handle = (event, context) => {
  const name = event.query.name || 'world';
  context.log.info('greeting', { name });
  return `Hello, ${name}!\n`;
};
