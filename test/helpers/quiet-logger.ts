import type { Logger } from '@temporalio/common';

/** The SDK logger tests hand to bundleWorkflowCode and the like: nothing reaches test output. */
export const quietLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
