import { runContractSuite } from '../contract/suite.js';
import { createEcsHarness } from './harness.js';

runContractSuite(() => createEcsHarness());
