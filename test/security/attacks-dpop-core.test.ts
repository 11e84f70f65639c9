// Every DPoP and mTLS attack of the catalogue (test/security/support/cases-dpop-*.ts) through core's authenticator.
import { runDPoPAttacks } from './support/dpop-run.js';

runDPoPAttacks('core');
