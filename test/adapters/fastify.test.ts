import { adapterMatrix } from './matrix.js';
import { fastifyHarness } from './support/frameworks.js';

adapterMatrix(fastifyHarness);
