import { runContractSuite } from '../contract/suite.js';
import { createEcsHarness } from './support/harness.js';

runContractSuite(() => createEcsHarness());
