import { requireToken } from '@identity-model/express';
import express from 'express';
import { environmentScenarios, servedOn } from '../../../test/adapters/environment-scenarios.js';

environmentScenarios('express requireToken()', async (options) => {
  // The form users write: `app.use(requireToken())`, with no argument at all.
  const auth = options === undefined ? requireToken() : requireToken(options);
  const app = express();
  app.use(auth);
  app.get('/me', (req, res) => {
    res.json({ sub: req.auth?.claims.sub });
  });
  return servedOn(app.listen(0, '127.0.0.1'), () => auth.close());
});
