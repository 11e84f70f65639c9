import { requireToken } from '@identity-model/koa';
import Koa from 'koa';
import { environmentScenarios, servedOn } from '../../../test/adapters/environment-scenarios.js';

environmentScenarios('koa requireToken()', async (options) => {
  // The form users write: `app.use(requireToken())`, with no argument at all.
  const auth = options === undefined ? requireToken() : requireToken(options);
  const app = new Koa();
  app.use(auth);
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.auth?.claims.sub };
  });
  return servedOn(app.listen(0, '127.0.0.1'), () => auth.close());
});
