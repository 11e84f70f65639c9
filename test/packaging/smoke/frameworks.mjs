// The pack smoke matrix: one scratch app per framework version an adapter's peerDependencies declare.
// Each app is written twice from the same body, as ESM (`app.mts`) and as CommonJS (`app.cts`), so the
// two module systems differ only in their import lines.

/** @typedef {{ from: string, default?: string, names?: string[] }} Import */
/** @typedef {{ name: string, adapter: string, dependencies: Record<string, string>, imports: Import[], start: string }} Framework */

/** Express and Koa both listen through node:http and close the middleware's validator with the server. */
const LISTEN = `
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: \`http://127.0.0.1:\${port}/whoami\`,
    close: async () => {
      await auth.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}`;

const START_EXPRESS = `
async function start(issuerUrl: string): Promise<Running> {
  const auth = requireToken({ issuer: issuerUrl, audience: AUDIENCE });
  const app = express();
  app.use(auth);
  app.get('/whoami', (req, res) => {
    res.json({ sub: req.auth?.claims.sub ?? null });
  });
${LISTEN}`;

const START_KOA = `
async function start(issuerUrl: string): Promise<Running> {
  const auth = requireToken({ issuer: issuerUrl, audience: AUDIENCE });
  const app = new Koa();
  app.use(auth);
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.auth?.claims.sub ?? null };
  });
${LISTEN}`;

const START_FASTIFY = `
async function start(issuerUrl: string): Promise<Running> {
  const app = fastify();
  await app.register(oidcAuth, { issuer: issuerUrl, audience: AUDIENCE });
  app.get('/whoami', async (request) => ({ sub: request.auth?.claims.sub ?? null }));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: \`\${base}/whoami\`, close: () => app.close() };
}`;

const expressImports = [
  { from: 'express', default: 'express' },
  { from: '@identity-model/express', names: ['requireToken'] },
];
const koaImports = [
  { from: 'koa', default: 'Koa' },
  { from: '@identity-model/koa', names: ['requireToken'] },
];

/** @type {Framework[]} */
export const FRAMEWORKS = [
  {
    name: 'express-4',
    adapter: 'express',
    dependencies: { express: '^4.21.0', '@types/express': '^4.17.21' },
    imports: expressImports,
    start: START_EXPRESS,
  },
  {
    name: 'express-5',
    adapter: 'express',
    dependencies: { express: '^5.0.0', '@types/express': '^5.0.0' },
    imports: expressImports,
    start: START_EXPRESS,
  },
  {
    name: 'fastify-5',
    adapter: 'fastify',
    dependencies: { fastify: '^5.0.0' },
    imports: [
      { from: 'fastify', names: ['fastify'] },
      { from: '@identity-model/fastify', names: ['oidcAuth'] },
    ],
    start: START_FASTIFY,
  },
  {
    name: 'koa-2',
    adapter: 'koa',
    dependencies: { koa: '^2.15.0', '@types/koa': '^2.15.0' },
    imports: koaImports,
    start: START_KOA,
  },
  {
    name: 'koa-3',
    adapter: 'koa',
    dependencies: { koa: '^3.0.0', '@types/koa': '^3.0.0' },
    imports: koaImports,
    start: START_KOA,
  },
];

/** What every app does: a valid token must get 200 and its subject back, no token 401. */
const BODY = `
const AUDIENCE = 'smoke-api';
interface Running {
  url: string;
  close(): Promise<void>;
}
__START__

async function main(): Promise<void> {
  const issuer = await createTestIssuer({ audience: AUDIENCE });
  const server = await start(issuer.issuer);
  try {
    const token = issuer.createToken({ sub: 'alice' });
    const valid = await fetch(server.url, { headers: { authorization: \`Bearer \${token}\` } });
    const body: unknown = valid.status === 200 ? await valid.json() : await valid.text();
    const anonymous = await fetch(server.url);
    console.log(JSON.stringify({ valid: valid.status, body, anonymous: anonymous.status }));
  } finally {
    await server.close();
    await issuer.close();
  }
}
main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
`;

const COMMON_IMPORTS = [
  { from: 'node:events', names: ['once'] },
  { from: '@identity-model/testing', names: ['createTestIssuer'] },
];

/** One import line (or two for CommonJS named imports) in the module system asked for. */
function importLines(imp, system, index) {
  if (system === 'esm') {
    return imp.default
      ? `import ${imp.default} from '${imp.from}';`
      : `import { ${imp.names.join(', ')} } from '${imp.from}';`;
  }
  if (imp.default) return `import ${imp.default} = require('${imp.from}');`;
  const alias = `imported${index}`;
  return `import ${alias} = require('${imp.from}');\nconst { ${imp.names.join(', ')} } = ${alias};`;
}

/** The app's source for one module system: 'esm' (app.mts) or 'cjs' (app.cts). */
export function appSource(framework, system) {
  const imports = [...COMMON_IMPORTS, ...framework.imports].map((imp, i) => importLines(imp, system, i));
  return `${imports.join('\n')}\n${BODY.replace('__START__', framework.start)}`;
}

const BASE_OPTIONS = {
  target: 'ES2022',
  strict: true,
  skipLibCheck: false,
  types: ['node'],
  esModuleInterop: true,
};

/** The module systems, each its own program (a real project loads either the ESM or the CJS declarations). */
export const SYSTEMS = { esm: 'app.mts', cjs: 'app.cts' };

/** The two TypeScript resolution modes every app is checked in; node16 also emits what is run. */
export const TSCONFIGS = {
  node16: { ...BASE_OPTIONS, module: 'node16', moduleResolution: 'node16', outDir: 'dist' },
  bundler: { ...BASE_OPTIONS, module: 'preserve', moduleResolution: 'bundler', noEmit: true },
};
