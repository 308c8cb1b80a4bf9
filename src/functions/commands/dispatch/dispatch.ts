/**
 * The workflow's dispatch step: the one place a VIN is decrypted (DESIGN.md §5), to send the command to
 * the Fleet API. A sleeping vehicle (408) is sent `wake_up` and, within the time the invocation has,
 * polled until it is online, then the command is sent again; if it does not wake in time the function
 * throws `VehicleAsleepError` and the state machine retries with backoff. 429 and 5xx are thrown as
 * `FleetApiRateLimitedError` / `FleetApiUnavailableError` for the same reason. A vehicle's refusal
 * (`result: false`) is an answer, not an error.
 *
 * The same function also describes its own final failure for `Command.Failed` (`describeFailure`), so
 * the mapping from error names to failure codes lives next to the code that throws them.
 */
import { z } from 'zod';
import { VehicleAsleepError } from '../../../adapters/http/fleet-api-client.ts';
import type { FleetApi } from '../../../ports/fleet-api.ts';
import type { VinVault } from '../../../ports/vehicle-directory.ts';
import { DISPATCH_RETRIES } from '../../../workflows/vehicle-command.ts';
import { detailsAttribute } from '../attribute-values.ts';
import { issuesText } from '../caller.ts';

/** The dispatch task's input. */
export const DispatchEventSchema = z.strictObject({
  commandId: z.string().min(1),
  tenantId: z.string().min(1),
  vehicleId: z.string().min(1),
  command: z.string().min(1),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

/** The failure-description input: the `Catch` output of the `Dispatch` state. */
export const DescribeFailureEventSchema = z.strictObject({
  commandId: z.string().min(1),
  describeFailure: z.looseObject({ Error: z.string(), Cause: z.string().optional() }),
});

/** The vehicle's answer, shaped for the state machine. */
export interface DispatchResult {
  readonly result: boolean;
  /** Tesla's reason, null when it gave none. */
  readonly reason: string | null;
  readonly message: string;
  /** Command calls made by this invocation (a call after a wake-up counts). */
  readonly attempts: number;
  readonly httpStatus: number;
  readonly wokeVehicle: boolean;
  readonly completedAt: string;
  readonly auditDetails: ReturnType<typeof detailsAttribute>;
}

/** The `error` of `Command.Failed`, plus what the state machine records with it. */
export interface DispatchFailure {
  readonly code:
    | 'vehicle_unavailable'
    | 'rejected_by_vehicle'
    | 'rate_limited'
    | 'fleet_api_error'
    | 'timeout'
    | 'internal';
  readonly message: string;
  readonly httpStatus: number | null;
  readonly vehicleReason: null;
  readonly attempts: number;
  readonly at: string;
  readonly auditDetails: ReturnType<typeof detailsAttribute>;
}

/** Base class of the dispatch function's own errors. */
export class DispatchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input did not come from the state machine's definition. */
export class InvalidDispatchEventError extends DispatchError {}

/** The vault has no VIN for the vehicle (registered without one, or removed): nothing to send to. */
export class VinNotFoundError extends DispatchError {}

/** What the dispatch function works with. */
export interface DispatchDependencies {
  readonly vault: Pick<VinVault, 'reveal'>;
  readonly fleetApi: FleetApi;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Longest wait for a woken vehicle within one invocation. Default 15 s. */
  readonly wakeWaitMs?: number;
  /** Between two looks at a waking vehicle. Default 1 s. */
  readonly wakePollMs?: number;
}

/** The Lambda context's clock, when there is one. */
interface InvocationContext {
  getRemainingTimeInMillis?(): number;
}

/** Time kept back from the Lambda timeout for the command call after the wake-up and the answer. */
const RESERVE_MS = 12_000;

/** The dispatch function: a dispatch event, or a `describeFailure` event. */
export function createDispatchFunction(deps: DispatchDependencies) {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const wakeWaitMs = deps.wakeWaitMs ?? 15_000;
  const wakePollMs = deps.wakePollMs ?? 1_000;

  async function dispatch(event: z.infer<typeof DispatchEventSchema>, context?: InvocationContext) {
    const vin = await deps.vault.reveal(event.vehicleId);
    if (vin === undefined) {
      throw new VinNotFoundError(`the VIN vault has no VIN for vehicle ${event.vehicleId}`);
    }
    let attempts = 0;
    let wokeVehicle = false;
    const send = async () => {
      attempts += 1;
      return deps.fleetApi.sendCommand(vin, event.command, event.parameters);
    };
    let answer;
    try {
      answer = await send();
    } catch (error) {
      if (!(error instanceof VehicleAsleepError)) throw error;
      wokeVehicle = true;
      await deps.fleetApi.wakeUp(vin);
      const remaining = context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
      const deadline = Date.now() + Math.max(0, Math.min(wakeWaitMs, remaining - RESERVE_MS));
      let state = await deps.fleetApi.vehicleState(vin);
      while (state !== 'online' && Date.now() + wakePollMs <= deadline) {
        await sleep(wakePollMs);
        state = await deps.fleetApi.vehicleState(vin);
      }
      if (state !== 'online') {
        // The state machine retries with backoff; the vehicle keeps waking meanwhile.
        throw new VehicleAsleepError(
          `${event.command}: the vehicle was asleep and is not online yet after wake_up`,
          error.httpStatus,
          { cause: error },
        );
      }
      answer = await send();
    }
    const reason = answer.reason === '' ? null : answer.reason;
    const message = answer.result
      ? `the vehicle carried out ${event.command}${reason ? ` (${reason})` : ''}`
      : `the vehicle refused ${event.command}${reason ? `: ${reason}` : ''}`;
    return {
      result: answer.result,
      reason,
      message,
      attempts,
      httpStatus: answer.httpStatus,
      wokeVehicle,
      completedAt: now().toISOString(),
      auditDetails: detailsAttribute({
        attempts,
        wokeVehicle,
        httpStatus: answer.httpStatus,
        vehicleReason: reason,
      }),
    } satisfies DispatchResult;
  }

  function describeFailure(
    failure: z.infer<typeof DescribeFailureEventSchema>['describeFailure'],
  ): DispatchFailure {
    const name = failure.Error;
    let message = name;
    if (failure.Cause) {
      try {
        const cause = JSON.parse(failure.Cause) as { errorMessage?: unknown };
        if (typeof cause.errorMessage === 'string' && cause.errorMessage !== '') message = cause.errorMessage;
      } catch {
        // Not Lambda's JSON (States.Timeout's cause is text): the text is the message.
        message = failure.Cause;
      }
    }
    const status = /answered (\d{3})\b/.exec(message);
    const httpStatus = status ? Number(status[1]) : null;
    // The invocations the state machine made for this error: the first and every retry.
    const invocations = (error: keyof typeof DISPATCH_RETRIES) => DISPATCH_RETRIES[error].maxAttempts + 1;
    const described = ((): Pick<DispatchFailure, 'code' | 'attempts' | 'httpStatus'> => {
      switch (name) {
        case 'VehicleAsleepError':
          return { code: 'vehicle_unavailable', attempts: invocations(name), httpStatus: httpStatus ?? 408 };
        case 'FleetApiRateLimitedError':
          return { code: 'rate_limited', attempts: invocations(name), httpStatus: httpStatus ?? 429 };
        case 'FleetApiUnavailableError':
          return { code: 'fleet_api_error', attempts: invocations(name), httpStatus };
        case 'FleetApiRequestError':
          return { code: 'fleet_api_error', attempts: 1, httpStatus };
        case 'States.Timeout':
          return { code: 'timeout', attempts: 1, httpStatus: null };
        default:
          // Nothing reached the Fleet API that is known of: a Fleetwire fault (no VIN, a bug, AWS down).
          return { code: 'internal', attempts: 0, httpStatus: null };
      }
    })();
    const text = (message === name ? `${name}` : `${name}: ${message}`).slice(0, 1024);
    return {
      ...described,
      message: text,
      vehicleReason: null,
      at: now().toISOString(),
      auditDetails: detailsAttribute({
        error: name,
        attempts: described.attempts,
        httpStatus: described.httpStatus,
      }),
    };
  }

  return async (event: unknown, context?: InvocationContext): Promise<DispatchResult | DispatchFailure> => {
    if (typeof event === 'object' && event !== null && 'describeFailure' in event) {
      const parsed = DescribeFailureEventSchema.safeParse(event);
      if (!parsed.success)
        throw new InvalidDispatchEventError(`describeFailure: ${issuesText(parsed.error)}`);
      return describeFailure(parsed.data.describeFailure);
    }
    const parsed = DispatchEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidDispatchEventError(`dispatch: ${issuesText(parsed.error)}`);
    return dispatch(parsed.data, context);
  };
}
