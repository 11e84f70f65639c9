/** The HTTP bench's contenders: every framework with every variant. */
export const FRAMEWORKS = ['fastify', 'express', 'koa'] as const;
/**
 * `hook`: a middleware that only looks for a Bearer header, the least any authentication middleware does on a
 * request (the floor of a cache hit); measured with the one repeated token only.
 */
export const VARIANTS = ['bare', 'hook', 'floor', 'ours', 'peer'] as const;
export type Framework = (typeof FRAMEWORKS)[number];
export type Variant = (typeof VARIANTS)[number];

export const PEER_NAMES: Record<Framework, string> = {
  fastify: '@fastify/jwt + get-jwks',
  express: 'express-oauth2-jwt-bearer',
  koa: 'koa-jwt + jwks-rsa',
};

export function variantLabel(framework: Framework, variant: Variant): string {
  switch (variant) {
    case 'bare':
      return `${framework} (no auth)`;
    case 'hook':
      return `${framework} + header-check hook (no verification)`;
    case 'floor':
      return `${framework} + floor hook (crypto.verify + exp)`;
    case 'ours':
      return `${framework} + @identity-model/${framework}`;
    case 'peer':
      return `${framework} + ${PEER_NAMES[framework]}`;
  }
}
