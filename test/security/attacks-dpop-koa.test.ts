// Every DPoP and mTLS attack of the catalogue (test/security/support/cases-dpop-*.ts) through the koa adapter.
import { runDPoPAttacks } from './support/dpop-run.js';

runDPoPAttacks('koa');
