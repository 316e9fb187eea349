// The benchmark's echo function: returns the parsed JSON body.
exports.handle = (event) => event.body;
