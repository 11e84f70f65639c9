#!/usr/bin/env node
// Type-checks every ```ts / ```js block of README.md, packages/*/README.md and docs/**/*.md: each block becomes
// one module in .doc-snippets/ and `tsc --noEmit` runs over them with the workspace packages resolved from
// source. A snippet's free variables (app, req, token, document, …) come from the prelude below: only the
// names the block uses and does not declare itself are declared, so the Markdown stays free of scaffolding.
// `app`, `req`, `res`, `router` and `issuer` take their type from the block's @identity-model imports (Express
// when none); an HTML comment `<!-- snippet: fastify -->` (express, koa, testing) on the line above overrides it.
// ```sh, ```text and other blocks are not checked.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ts = createRequire(import.meta.url)('typescript');
const out = join(root, '.doc-snippets');

/** Declarations for the free variables snippets use, per package where the type differs. */
const PRELUDES = {
  express: {
    app: "import('express').Express",
    req: "import('express').Request",
    res: "import('express').Response",
    router: "import('express').Router",
  },
  fastify: { app: "import('fastify').FastifyInstance", reply: "import('fastify').FastifyReply" },
  koa: {
    app: "import('koa')<import('koa').DefaultState, import('koa').DefaultContext>",
    router: "import('@koa/router').default",
  },
  testing: { issuer: "import('@identity-model/testing').TestIssuer" },
};
const COMMON = {
  token: 'string',
  accessToken: 'string',
  incomingToken: 'string',
  incomingAccessToken: 'string',
  refreshToken: 'string',
  ownServiceToken: 'string',
  clientId: 'string',
  clientSecret: 'string',
  issuer: 'string',
  audience: 'string',
  url: 'string',
  state: 'string',
  expressApp: "import('express').Express",
  fastifyApp: "import('fastify').FastifyInstance",
  redis: "import('ioredis').Redis",
  express: "typeof import('express')",
  Redis: "typeof import('ioredis').Redis",
  ClientCredentialsTokenManager: "typeof import('@identity-model/core').ClientCredentialsTokenManager",
  RedisCacheStore: "typeof import('@identity-model/redis').RedisCacheStore",
  validateAuthorizeCallbackState: "typeof import('@identity-model/core').validateAuthorizeCallbackState",
  document: "import('@identity-model/core').DiscoveryDocumentResponse",
  pkce: "import('@identity-model/core').PkcePair",
  tokens: "import('@identity-model/core').TokenResponse",
  idTokenClaims: '{ sub: string }',
  session: '{ nonce: string }',
  sessions: '{ endFor(who: { sub?: string; sid?: string }): Promise<void> }',
  clientPrivateJwk: "import('@identity-model/core').JsonWebKey",
};

function markdownFiles() {
  const files = ['README.md'];
  for (const name of readdirSync(join(root, 'packages'))) {
    try {
      readFileSync(join(root, 'packages', name, 'README.md'));
      files.push(`packages/${name}/README.md`);
    } catch {}
  }
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && path !== 'docs/api') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(path);
    }
  };
  try {
    walk('docs');
  } catch {}
  return files;
}

function blocks(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript|js|javascript)\s*$/.exec(lines[i]);
    if (!open) continue;
    const override = /^<!--\s*snippet:\s*(\w+)\s*-->$/.exec(lines[i - 1]?.trim() ?? '')?.[1];
    const start = i + 1;
    while (i + 1 < lines.length && !lines[i + 1].startsWith('```')) i++;
    found.push({
      line: start,
      lang: open[1].startsWith('t') ? 'ts' : 'js',
      override,
      code: lines.slice(start, i + 1).join('\n'),
    });
    i++;
  }
  return found;
}

/** Names the snippet declares at top level, and every identifier it mentions. */
function names(code, lang) {
  const source = ts.createSourceFile(`s.${lang}`, code, ts.ScriptTarget.Latest, true);
  const declared = new Set();
  const used = new Set();
  const bind = (name) => {
    if (ts.isIdentifier(name)) declared.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement))
      for (const d of statement.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name)
      declared.add(statement.name.text);
    else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) declared.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) declared.add(bindings.name.text);
      else if (bindings) for (const element of bindings.elements) declared.add(element.name.text);
    }
  }
  const visit = (node) => {
    if (ts.isIdentifier(node)) used.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { declared, used };
}

/** The preludes a block gets: its override comment, else those of the packages it imports (Express by default). */
function preludeSets(block) {
  if (block.override) {
    if (!PRELUDES[block.override]) throw new Error(`unknown snippet prelude "${block.override}"`);
    return [block.override];
  }
  const imported = [...block.code.matchAll(/from '@identity-model\/(\w+)'/g)].map((m) => m[1]);
  const sets = imported.filter((name) => PRELUDES[name] && name !== 'express');
  return sets.some((name) => name === 'fastify' || name === 'koa') ? sets : ['express', ...sets];
}

function prelude(block) {
  const { declared, used } = names(block.code, block.lang);
  const table = Object.assign({}, COMMON, ...preludeSets(block).map((name) => PRELUDES[name]));
  const lines = [];
  for (const [name, type] of Object.entries(table)) {
    if (!used.has(name) || declared.has(name)) continue;
    // JavaScript has no `declare`: a typed constant whose value is never read at type-check time.
    lines.push(
      block.lang === 'ts'
        ? `declare const ${name}: ${type};`
        : `const ${name} = /** @type {${type}} */ (/** @type {unknown} */ (undefined));`,
    );
  }
  return lines.join(' ');
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const origin = new Map();
let count = 0;
for (const file of markdownFiles()) {
  for (const block of blocks(file)) {
    count++;
    const name = `${String(count).padStart(3, '0')}-${file.replace(/[/.]+/g, '-')}-${block.line}.${block.lang}`;
    // The prelude shares the snippet's first line so tsc's line numbers match the Markdown's.
    writeFileSync(join(out, name), `${prelude(block)} export {};\n${block.code}\n`);
    origin.set(name, { file, line: block.line });
  }
}
// TypeScript blocks are held to the workspace's strict settings; JavaScript blocks (written for readers who
// do not use TypeScript) are checked for API use — names, arguments, option shapes — without strict mode,
// against dist/ (CI builds first).
const configs = [
  ['tsconfig.ts.json', { include: ['*.ts'] }],
  // Non-strict settings would fail the workspace's own sources, so these resolve the packages' built types.
  ['tsconfig.js.json', { include: ['*.js'], compilerOptions: { strict: false, customConditions: [] } }],
];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let failed = false;
let report = '';
for (const [file, config] of configs) {
  if (!readdirSync(out).some((name) => name.endsWith(config.include[0].slice(1)))) continue;
  const compilerOptions = {
    noEmit: true,
    allowJs: true,
    checkJs: true,
    declaration: false,
    sourceMap: false,
  };
  writeFileSync(
    join(out, file),
    JSON.stringify({
      extends: '../tsconfig.base.json',
      ...config,
      compilerOptions: { ...compilerOptions, ...config.compilerOptions },
    }),
  );
  const run = spawnSync(process.execPath, [tsc, '-p', join(out, file), '--pretty', 'false'], {
    cwd: root,
    encoding: 'utf8',
  });
  failed ||= run.status !== 0;
  report += `${run.stdout}${run.stderr}`;
}
// Point each error at the Markdown: `.doc-snippets/007-README-md-98.ts(3,5)` -> `README.md:100:5`.
report = report.replace(/(?:\.doc-snippets\/)?([\w.-]+\.(?:ts|js))\((\d+),(\d+)\)/g, (all, name, l, c) => {
  const at = origin.get(name);
  return at ? `${at.file}:${at.line + Number(l) - 1}:${c}` : all;
});
if (failed) {
  process.stderr.write(report);
  console.error(
    `doc snippets: ${count} checked, type errors above (${relative(root, out)}/ holds the modules)`,
  );
  process.exit(1);
}
console.log(`doc snippets: ${count} checked, all type-check`);
