import { contractSuite } from './suite.ts';

contractSuite('python');
