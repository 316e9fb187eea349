import { contractSuite } from './suite.ts';

contractSuite('go');
