import { contractSuite } from './suite.ts';

contractSuite('node');
