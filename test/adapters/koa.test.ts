import { adapterMatrix } from './matrix.js';
import { koaHarness } from './support/frameworks.js';

adapterMatrix(koaHarness);
