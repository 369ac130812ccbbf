#!/usr/bin/env node
import { createApp } from '../lib/app.js';

// `npx cdk synth` / `npx cdk deploy <stack>` from the repository root run this (see cdk.json).
createApp().app.synth();
