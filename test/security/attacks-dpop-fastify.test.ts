// Every DPoP and mTLS attack of the catalogue (test/security/support/cases-dpop-*.ts) through the fastify adapter.
import { runDPoPAttacks } from './support/dpop-run.js';

runDPoPAttacks('fastify');
