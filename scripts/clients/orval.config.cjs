// orval reads its input and output from the environment so that clients-check and make gen
// share one configuration. headers: true makes If-Match, If-None-Match and Idempotency-Key
// typed parameters (orval drops header parameters without it); the mutator (http.ts, copied
// beside the output) adds the base URL and the bearer token.
const path = require('node:path');

const input = process.env.ORVAL_INPUT;
const target = process.env.ORVAL_OUTPUT;
if (!input || !target) throw new Error('set ORVAL_INPUT and ORVAL_OUTPUT');

module.exports = {
  blog: {
    input: { target: input },
    output: {
      target,
      client: 'fetch',
      mode: 'single',
      headers: true,
      override: { mutator: { path: path.join(path.dirname(target), 'http.ts'), name: 'http' } },
    },
  },
};
