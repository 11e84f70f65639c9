// Where the examples point: environment variables, or the dev identity provider (examples/dev-idp) by default.
import { DEV_AUDIENCE, DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_PORT } from './dev-idp/dev-idp.js';

export const config = {
  issuer: process.env.ISSUER ?? `http://127.0.0.1:${DEV_PORT}`,
  audience: process.env.AUDIENCE ?? DEV_AUDIENCE,
  clientId: process.env.CLIENT_ID ?? DEV_CLIENT_ID,
  clientSecret: process.env.CLIENT_SECRET ?? DEV_CLIENT_SECRET,
};
