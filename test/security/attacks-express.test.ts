// Every attack of the catalogue (test/security/support/cases-*.ts) through the express adapter.
import { runAdapterAttacks } from './support/run-adapter-attacks.js';

runAdapterAttacks('express');
