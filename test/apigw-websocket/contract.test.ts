import { runContractSuite } from '../contract/suite.js';
import { createApigwHarness } from './support/harness.js';

runContractSuite(() => createApigwHarness());
