import type { z } from 'zod';
import type { WorkflowContract } from './contract';
import type { InternalWorkflowType, RegisteredContract } from './contracts';
import type * as registeredWorkflows from './index';

// Compile-time agreement between workflows/contracts.ts (what the API serves) and workflows/index.ts (what the
// worker registers). `npm run typecheck` fails here, naming the workflow type, when a contract is not registered,
// a registered workflow has no contract, or a workflow's argument or result is not its contract's. Types only:
// nothing here is bundled or run.

type Assignable<From, To> = [From] extends [To] ? true : false;
type Fn = (...args: never[]) => unknown;

/** Each kind of disagreement, as the workflow types at fault; `never` everywhere when the two lists agree. */
export type RegistryDisagreements<Contracts extends WorkflowContract, Workflows> = {
  contractWithoutWorkflow: Exclude<Contracts['workflowType'], keyof Workflows>;
  workflowWithoutContract: Exclude<keyof Workflows & string, Contracts['workflowType'] | InternalWorkflowType>;
  inputDisagrees: {
    [C in Contracts as C['workflowType']]: Workflows[C['workflowType'] & keyof Workflows] extends Fn
      ? Assignable<z.output<C['input']>, Parameters<Workflows[C['workflowType'] & keyof Workflows]>[0]> extends true
        ? never
        : C['workflowType']
      : never;
  }[Contracts['workflowType']];
  outputDisagrees: {
    [C in Contracts as C['workflowType']]: Workflows[C['workflowType'] & keyof Workflows] extends Fn
      ? Assignable<
          Awaited<ReturnType<Workflows[C['workflowType'] & keyof Workflows]>>,
          z.input<C['output']>
        > extends true
        ? never
        : C['workflowType']
      : never;
  }[Contracts['workflowType']];
};

/** Compiles only when every entry is `never`; the error shows the entry that is not, and the types it names. */
export type Agree<T extends { [K in keyof T]: never }> = T;

export type _RegistryAgrees = Agree<RegistryDisagreements<RegisteredContract, typeof registeredWorkflows>>;
