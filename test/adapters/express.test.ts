import { adapterMatrix } from './matrix.js';
import { expressHarness } from './support/frameworks.js';

adapterMatrix(expressHarness);
