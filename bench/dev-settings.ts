import { DEV_SERVER_DYNAMIC_CONFIG } from '../scripts/temporal-dev-server';

/** The settings of scripts/temporal-dev-server.ts in groups, as the README explains them (one group per reason). */
export const SETTING_GROUPS: Readonly<Record<string, readonly string[]>> = {
  transfer: ['history.transferProcessorMaxPollRPS'],
  timer: ['history.timerProcessorMaxPollRPS'],
  'timer-shift': ['history.timerProcessorMaxTimeShift'],
  visibility: ['history.visibilityProcessorMaxPollRPS'],
  eager: ['system.enableActivityEagerExecution'],
  partitions: ['matching.numTaskqueueReadPartitions', 'matching.numTaskqueueWritePartitions'],
  // For the console's status polls beside a progress stream; a closed-loop bench sends no queries.
  queries: ['history.MaxBufferedQueryCount'],
  // What it does for tenants is B16 (bench/fairness-phase.ts); here, what it costs when there is one.
  fairness: ['matching.enableFairness'],
};

/**
 * Variants of the embedded server: `ours` (every setting), `defaults` (Temporal's own values for all of them) and
 * `without-<group>` (every setting but one group), so each setting's effect shows against ours.
 */
export const ALL_SETTINGS_VARIANTS: readonly string[] = [
  'ours',
  'defaults',
  ...Object.keys(SETTING_GROUPS).map((group) => `without-${group}`),
];

/** The dynamic-config keys a variant leaves out. */
export function omittedSettings(variant: string): readonly string[] {
  if (variant === 'ours') return [];
  if (variant === 'defaults') return Object.keys(DEV_SERVER_DYNAMIC_CONFIG);
  const group = SETTING_GROUPS[variant.replace(/^without-/, '')];
  if (!group) throw new Error(`unknown dev-server settings variant ${variant}`);
  return group;
}
