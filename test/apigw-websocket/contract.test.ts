import { runContractSuite } from '../contract/suite.js';
import { createApigwHarness } from './harness.js';

runContractSuite(() => createApigwHarness());
