import { djangoOAuthToolkit } from './descriptors.js';
import { providerMatrix } from './run-matrix.js';
import { SCENARIOS } from './scenarios/index.js';

providerMatrix(djangoOAuthToolkit, SCENARIOS);
