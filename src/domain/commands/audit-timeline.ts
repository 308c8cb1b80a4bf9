/**
 * The story of a vehicle command for auditors (`fleetwire audit`): the command record, its audit log
 * entries and its Step Functions execution history merged into one timeline, as text and as data. Pure:
 * the caller reads the tables and the history, this module only orders and words them.
 *
 * Nothing here looks a VIN up, and free text that could carry one (an error cause quoting a Fleet API
 * URL, a vehicle's refusal message) is masked before it is shown: a VIN never reaches an auditor's
 * terminal or a file the output is piped to.
 */
import type { AuditEntry } from '../../ports/audit-log.ts';
import type { CommandRecord } from '../../ports/command-store.ts';

/** Base class of the errors of this module. */
export class AuditTimelineError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A `--since` value that is neither an ISO-8601 time nor a relative duration such as `24h`. */
export class InvalidSinceError extends AuditTimelineError {}

/**
 * One Step Functions history event, as `GetExecutionHistory` returns it (the SDK's `HistoryEvent` fits):
 * only the fields the timeline reads are named; every `…EventDetails` object is read for `error`/`cause`.
 */
export interface ExecutionHistoryEvent {
  readonly id?: number | undefined;
  readonly previousEventId?: number | undefined;
  readonly timestamp?: Date | string | undefined;
  readonly type?: string | undefined;
  readonly stateEnteredEventDetails?: { readonly name?: string | undefined } | undefined;
  readonly stateExitedEventDetails?: { readonly name?: string | undefined } | undefined;
  readonly taskScheduledEventDetails?:
    { readonly resource?: string | undefined; readonly resourceType?: string | undefined } | undefined;
  readonly lambdaFunctionScheduledEventDetails?: { readonly resource?: string | undefined } | undefined;
}

/** Where a timeline row comes from. */
export type TimelineSource = 'audit' | 'execution';

/** One line of the timeline. */
export interface TimelineRow {
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly source: TimelineSource;
  /** The audit step (`requested`, `authorize`, `approval`, `dispatch`), a state name, or `execution`. */
  readonly step: string;
  /** The user who acted, `system` for the workflow's own outcomes, empty for history events. */
  readonly who: string;
  readonly outcome: string;
  /** Reason code and message, or an error and its cause; VIN-shaped text masked. */
  readonly reason?: string;
}

/** What the execution history's last event says about the execution. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'UNKNOWN';

/** Everything `fleetwire audit show` knows about one command. */
export interface CommandStory {
  readonly commandId: string;
  /** The commands table's item without its approval task token, or null when the table has none. */
  readonly command: Omit<CommandRecord, 'approvalTaskToken'> | null;
  /** The audit entries, oldest first. */
  readonly auditEntries: readonly AuditEntry[];
  /** The execution the entries and the command name, or null when neither does. */
  readonly executionArn: string | null;
  /** The whole execution history, oldest first; null when it could not be read. */
  readonly executionHistory: readonly ExecutionHistoryEvent[] | null;
  /** Why the history is missing (e.g. Step Functions keeps it 90 days), when it is. */
  readonly historyUnavailable?: string;
}

/** A command as `fleetwire audit list` shows it: what its audit entries say, in one line. */
export interface CommandSummary {
  readonly commandId: string;
  readonly tenantId: string;
  readonly vehicleId: string;
  readonly command: string;
  readonly requestedBy: string;
  /** The first entry's time. */
  readonly firstAt: string;
  /** The last entry's time. */
  readonly lastAt: string;
  /** The last entry's step and outcome: where the command ended (or stands). */
  readonly step: string;
  readonly outcome: string;
  readonly approvedBy: string | null;
  readonly reason: string | null;
  readonly entries: number;
}

/** Text cut to this length in the text timeline; `--json` keeps everything. */
const MAX_REASON_LENGTH = 240;

/**
 * A VIN inside free text: 17 characters of the VIN alphabet (no I, O, Q) between word boundaries, at least
 * one a digit (every VIN has digits; a 17-letter word is not masked). Either case, as VIN_LIKE_PATTERN.
 */
const VIN_IN_TEXT = /\b(?=[A-HJ-NPR-Z]*\d)[A-HJ-NPR-Z0-9]{17}\b/gi;
/** What a masked VIN reads as. */
export const VIN_MASK = '[VIN]';

/** `text` with every VIN-shaped word replaced by {@link VIN_MASK}. */
export function maskVins(text: string): string {
  return text.replace(VIN_IN_TEXT, VIN_MASK);
}

/**
 * Keys whose values are Fleetwire identifiers or ARNs (pseudonyms, command ids, user ids), never free text:
 * they are left as they are, since a masked fragment of an id would only confuse an auditor.
 */
const IDENTIFIER_KEYS = new Set([
  'commandId',
  'entryId',
  'tenantId',
  'vehicleId',
  'executionArn',
  'stateMachineArn',
  'requestedBy',
  'approvedBy',
  'deniedBy',
  'actor',
  'resource',
  'resourceType',
  'name',
  'type',
]);

/**
 * A deep copy of `value` for `--json`: every string not under an identifier key has its VIN-shaped words
 * masked, and `Date`s become ISO strings.
 */
export function maskVinsDeep(value: unknown, key?: string): unknown {
  if (typeof value === 'string')
    return key !== undefined && IDENTIFIER_KEYS.has(key) ? value : maskVins(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => maskVinsDeep(item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([entryKey, entryValue]) => [entryKey, maskVinsDeep(entryValue, entryKey)]),
    );
  }
  return value;
}

/**
 * The start of a `--since` window as an ISO-8601 UTC time: an ISO date or date-time (`2025-03-01`,
 * `2025-03-01T12:00:00Z`) or a duration back from `now` (`90m`, `24h`, `7d`).
 *
 * @throws InvalidSinceError for anything else.
 */
export function parseSince(value: string, now: number = Date.now()): string {
  const relative = /^(\d+)([mhd])$/.exec(value.trim());
  if (relative) {
    const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return new Date(now - Number(relative[1]) * unitMs).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return new Date(at).toISOString();
  }
  throw new InvalidSinceError(
    `--since: expected an ISO-8601 time (2025-03-01, 2025-03-01T12:00:00Z) or a duration (90m, 24h, 7d), got ${JSON.stringify(value)}`,
  );
}

/** The execution ARN of a story: the command's, else the first audit entry's. */
export function executionArnOf(
  command: Pick<CommandRecord, 'executionArn'> | null | undefined,
  entries: readonly Pick<AuditEntry, 'executionArn'>[],
): string | null {
  const fromCommand = command?.executionArn;
  if (typeof fromCommand === 'string' && fromCommand.length > 0) return fromCommand;
  return (
    entries.find((entry) => typeof entry.executionArn === 'string' && entry.executionArn)?.executionArn ??
    null
  );
}

/** The command item as auditors may see it: the approval task token (a bearer credential) removed. */
export function withoutTaskToken(command: CommandRecord): Omit<CommandRecord, 'approvalTaskToken'> {
  const { approvalTaskToken: _token, ...rest } = command;
  return rest;
}

/** The timeline rows of the audit entries. */
export function auditRows(entries: readonly AuditEntry[]): TimelineRow[] {
  return entries.map((entry) => {
    const who =
      entry.actor ?? (entry.outcome === 'approved' || entry.outcome === 'rejected' ? entry.approvedBy : null);
    const reason = joinReason(entry.reason, entry.message);
    return {
      at: entry.at,
      source: 'audit',
      step: entry.step,
      who: who ?? 'system',
      outcome: entry.outcome,
      ...(reason === undefined ? {} : { reason }),
    };
  });
}

/**
 * The execution history in a few rows: the execution's start and end, one row per state visit (with how
 * long it took, or that it never finished), task failures and timeouts with their error and cause,
 * retries, and waits for a task token. Successful task events are left to `--json`.
 */
export function historyRows(events: readonly ExecutionHistoryEvent[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  /** The open state visit: its row's index, when it was entered, and what it scheduled. */
  let open:
    { index: number; name: string; enteredAt: number; scheduled: number; resource?: string } | undefined;
  for (const event of events) {
    const type = event.type ?? 'Unknown';
    const at = isoOf(event.timestamp);
    const failure = failureOf(event);
    if (type === 'ExecutionStarted') {
      rows.push({ at, source: 'execution', step: 'execution', who: '', outcome: 'started' });
    } else if (type.startsWith('Execution')) {
      const outcome = EXECUTION_OUTCOMES[type] ?? type;
      rows.push({
        at,
        source: 'execution',
        step: 'execution',
        who: '',
        outcome,
        ...(failure === undefined ? {} : { reason: failure }),
      });
    } else if (type.endsWith('StateEntered')) {
      const name = event.stateEnteredEventDetails?.name ?? '?';
      open = { index: rows.length, name, enteredAt: Date.parse(at), scheduled: 0 };
      rows.push({ at, source: 'execution', step: name, who: '', outcome: 'entered' });
    } else if (type.endsWith('StateExited')) {
      const name = event.stateExitedEventDetails?.name ?? '?';
      if (open !== undefined && open.name === name) {
        const row = rows[open.index]!;
        rows[open.index] = { ...row, outcome: `entered; exited after ${Date.parse(at) - open.enteredAt} ms` };
        open = undefined;
      } else {
        rows.push({ at, source: 'execution', step: name, who: '', outcome: 'exited' });
      }
    } else if (type === 'TaskScheduled' || type === 'LambdaFunctionScheduled') {
      if (open !== undefined) {
        open.scheduled += 1;
        const resource =
          event.taskScheduledEventDetails?.resource ?? event.lambdaFunctionScheduledEventDetails?.resource;
        if (resource !== undefined) open.resource = resource;
        if (open.scheduled > 1) {
          rows.push({
            at,
            source: 'execution',
            step: open.name,
            who: '',
            outcome: `retry ${open.scheduled - 1}`,
          });
        }
      }
    } else if (type === 'TaskSubmitted' && open?.resource?.endsWith('.waitForTaskToken')) {
      rows.push({ at, source: 'execution', step: open.name, who: '', outcome: 'waiting for task token' });
    } else if (failure !== undefined || FAILURE_OUTCOMES[type] !== undefined) {
      rows.push({
        at,
        source: 'execution',
        step: open?.name ?? '',
        who: '',
        outcome: FAILURE_OUTCOMES[type] ?? lowerWords(type),
        ...(failure === undefined ? {} : { reason: failure }),
      });
    }
  }
  if (open !== undefined) {
    const row = rows[open.index]!;
    rows[open.index] = { ...row, outcome: 'entered; never exited' };
  }
  return rows;
}

/**
 * The audit rows and the history rows in time order. At the same millisecond the execution's rows come
 * first (a state is entered before the audit entry it writes), and each source keeps its own order.
 */
export function mergeTimeline(
  audit: readonly TimelineRow[],
  execution: readonly TimelineRow[],
): TimelineRow[] {
  const rank: Record<TimelineSource, number> = { execution: 0, audit: 1 };
  return [...execution, ...audit]
    .map((row, index) => ({ row, index, ms: Date.parse(row.at) }))
    .sort((a, b) => a.ms - b.ms || rank[a.row.source] - rank[b.row.source] || a.index - b.index)
    .map(({ row }) => row);
}

/** The merged timeline of a story. */
export function storyTimeline(story: CommandStory): TimelineRow[] {
  return mergeTimeline(auditRows(story.auditEntries), historyRows(story.executionHistory ?? []));
}

/** The status the history's last execution event implies. */
export function executionStatus(events: readonly ExecutionHistoryEvent[] | null): ExecutionStatus {
  if (events === null) return 'UNKNOWN';
  for (let index = events.length - 1; index >= 0; index--) {
    const status = EXECUTION_STATUSES[events[index]!.type ?? ''];
    if (status !== undefined) return status;
  }
  return events.length > 0 ? 'RUNNING' : 'UNKNOWN';
}

/** The story as text: a header about the command, then the timeline as aligned columns. */
export function formatStory(story: CommandStory): string {
  const lines: string[] = [];
  const first = story.auditEntries[0];
  const command = story.command;
  const what = command?.command ?? first?.command ?? '?';
  const parameters = command?.parameters ?? first?.parameters;
  lines.push(
    `command    ${story.commandId}  ${what}${parameters === undefined ? '' : ` ${maskVins(JSON.stringify(parameters))}`}`,
  );
  lines.push(
    `vehicle    ${command?.vehicleId ?? first?.vehicleId ?? '?'}  tenant ${command?.tenantId ?? first?.tenantId ?? '?'}`,
  );
  const requestedAt = command?.requestedAt ?? first?.at;
  lines.push(`requested  ${requestedAt ?? '?'} by ${command?.requestedBy ?? first?.requestedBy ?? '?'}`);
  if (command !== null) {
    const extras = [
      command.approvedBy
        ? `approved by ${command.approvedBy}${command.approvedAt ? ` at ${command.approvedAt}` : ''}`
        : undefined,
      command.deniedBy ? `denied by ${command.deniedBy}` : undefined,
      joinReason(command.reason ?? null, command.message ?? null),
      command.attempts ? `${command.attempts} attempt(s)` : undefined,
    ].filter((extra): extra is string => extra !== undefined);
    lines.push(`status     ${command.status}${extras.length > 0 ? `  (${extras.join('; ')})` : ''}`);
  } else {
    lines.push('status     ? (no item in the commands table)');
  }
  if (story.executionArn !== null) {
    lines.push(`execution  ${story.executionArn}  ${executionStatus(story.executionHistory)}`);
  } else {
    lines.push('execution  none recorded');
  }
  if (story.historyUnavailable !== undefined) {
    lines.push(`history    unavailable: ${story.historyUnavailable}`);
  }
  lines.push('');
  lines.push(...formatRows(storyTimeline(story)));
  return `${lines.join('\n')}\n`;
}

/** Timeline rows as aligned text columns under a header. */
export function formatRows(rows: readonly TimelineRow[]): string[] {
  const header: readonly string[] = ['TIME', 'SOURCE', 'STEP', 'WHO', 'OUTCOME', 'REASON'];
  const cells = rows.map((row) => [
    row.at,
    row.source,
    row.step,
    row.who === '' ? '-' : row.who,
    row.outcome,
    row.reason === undefined ? '' : truncate(row.reason),
  ]);
  return alignColumns([header, ...cells]);
}

/** The commands the entries are about, one summary each, ordered by their first entry. */
export function summarizeCommands(entries: readonly AuditEntry[]): CommandSummary[] {
  const byCommand = new Map<string, AuditEntry[]>();
  for (const entry of entries) {
    const list = byCommand.get(entry.commandId) ?? [];
    list.push(entry);
    byCommand.set(entry.commandId, list);
  }
  const summaries = [...byCommand.values()].map((list) => {
    const sorted = [...list].sort((a, b) => compareText(a.entryId, b.entryId));
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    const approvedBy = sorted.find((entry) => entry.approvedBy)?.approvedBy ?? null;
    return {
      commandId: first.commandId,
      tenantId: first.tenantId,
      vehicleId: first.vehicleId,
      command: first.command,
      requestedBy: first.requestedBy,
      firstAt: first.at,
      lastAt: last.at,
      step: last.step,
      outcome: last.outcome,
      approvedBy,
      reason: joinReason(last.reason, last.message) ?? null,
      entries: sorted.length,
    };
  });
  return summaries.sort((a, b) => compareText(a.firstAt, b.firstAt) || compareText(a.commandId, b.commandId));
}

/** Command summaries as aligned text columns under a header. */
export function formatSummaries(summaries: readonly CommandSummary[]): string[] {
  const header = [
    'TIME',
    'COMMAND ID',
    'COMMAND',
    'VEHICLE',
    'REQUESTED BY',
    'OUTCOME',
    'APPROVED BY',
    'REASON',
  ];
  return alignColumns([
    header,
    ...summaries.map((summary) => [
      summary.firstAt,
      summary.commandId,
      summary.command,
      summary.vehicleId,
      summary.requestedBy,
      `${summary.step}: ${summary.outcome}`,
      summary.approvedBy ?? '-',
      summary.reason === null ? '' : truncate(summary.reason),
    ]),
  ]);
}

const EXECUTION_OUTCOMES: Readonly<Record<string, string>> = {
  ExecutionSucceeded: 'succeeded',
  ExecutionFailed: 'failed',
  ExecutionTimedOut: 'timed out',
  ExecutionAborted: 'aborted',
};

const EXECUTION_STATUSES: Readonly<Record<string, ExecutionStatus>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/** History events that are failures even when their details carry no error. */
const FAILURE_OUTCOMES: Readonly<Record<string, string>> = {
  TaskFailed: 'task failed',
  TaskTimedOut: 'task timed out',
  TaskStartFailed: 'task failed to start',
  TaskSubmitFailed: 'task failed to submit',
  LambdaFunctionFailed: 'task failed',
  LambdaFunctionTimedOut: 'task timed out',
  LambdaFunctionStartFailed: 'task failed to start',
  LambdaFunctionScheduleFailed: 'task failed to schedule',
};

/** `error: cause` from whichever `…EventDetails` of the event has them; a Lambda's JSON cause is unwrapped. */
function failureOf(event: ExecutionHistoryEvent): string | undefined {
  for (const [key, details] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof details !== 'object' || details === null) continue;
    const { error, cause } = details as { error?: unknown; cause?: unknown };
    if (typeof error !== 'string' && typeof cause !== 'string') continue;
    const parts = [
      typeof error === 'string' ? error : undefined,
      typeof cause === 'string' ? readableCause(cause) : undefined,
    ];
    return maskVins(parts.filter((part) => part !== undefined && part !== '').join(': '));
  }
  return undefined;
}

/** Lambda causes are `{"errorType","errorMessage",…}`: the message says it. */
function readableCause(cause: string): string {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string'
    ) {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // Not JSON: the cause is plain text, shown as it is.
  }
  return cause;
}

function joinReason(
  reason: string | null | undefined,
  message: string | null | undefined,
): string | undefined {
  const parts = [reason, message].filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.length === 0 ? undefined : maskVins(parts.join(': '));
}

function isoOf(timestamp: Date | string | undefined): string {
  if (timestamp instanceof Date) return timestamp.toISOString();
  if (typeof timestamp === 'string') {
    const ms = Date.parse(timestamp);
    return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString();
  }
  return '';
}

/** `TaskStartFailed` → `task start failed`. */
function lowerWords(type: string): string {
  return type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Code-unit order: ISO times and entry ids sort by time this way, whatever the locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function truncate(text: string): string {
  return text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

/** Rows of cells as lines, every column but the last padded to its widest cell. */
function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  }
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd(),
  );
}
