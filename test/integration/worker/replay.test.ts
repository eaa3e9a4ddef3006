// Versioning: histories recorded by the previous workflow version replay against the current code
// (Worker.runReplayHistories), and the version change is written to workflow_migration_history.
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerConfig } from '../../../main/console';
import { createActivities } from '../../../worker/activities';
import { WORKFLOW_TYPE, type CycleInput } from '../../../shared/workflow';
import {
  outcome,
  rows,
  runCycle,
  startCycleStack,
  waitingAt,
  type CycleStack,
} from '../../support/cycle-stack';

let s: CycleStack;
let previous: WorkflowBundleWithSourceMap;
let beforeRelease: WorkflowBundleWithSourceMap;
let beforeCarried: WorkflowBundleWithSourceMap;
const root = path.resolve(__dirname, '../../..');
const histories: Array<{ workflowId: string; history: unknown }> = [];

function input(cycleId: number, reportIds: number[]): CycleInput {
  return {
    cycleId,
    reportIds,
    skipPhases: [],
    autoApprove: true,
    retryBaseMs: 200,
    tracking: true,
    activityTimeoutS: 10,
  };
}

beforeAll(async () => {
  s = await startCycleStack();
  await s.ops.router.invoke('workflows.createDemoData', { reports: 2 });
  const owner = await s.db.query<{ id: number }>(
    `INSERT INTO data_owners (name) VALUES ('No address') RETURNING id`,
  );
  await s.db.query(`INSERT INTO reports (id, name, data_owner_id) VALUES (40, 'Unreachable', $1)`, [
    owner.rows[0]!.id,
  ]);
  const bundle = (shim: string) =>
    bundleWorkflowCode({
      workflowsPath: path.join(root, 'worker/workflows/index.ts'),
      webpackConfigHook: (config) => {
        config.resolve = {
          ...config.resolve,
          alias: {
            ...(config.resolve?.alias as object),
            '@temporalio/workflow$': path.join(root, 'test/support/previous-workflow', shim),
          },
        };
        return config;
      },
      logger: { info() {}, debug() {}, trace() {}, warn() {}, error: console.error, log() {} },
    });
  previous = await bundle('patched-off.ts');
  beforeRelease = await bundle('before-release.ts');
  beforeCarried = await bundle('before-carried-tracking.ts');
});

/** Runs `work` with a worker of an older workflow bundle on its own task queue. */
async function withWorkerOf(
  bundle: WorkflowBundleWithSourceMap,
  taskQueue: string,
  work: (client: Client) => Promise<void>,
): Promise<void> {
  const spec = s.ops.stack.spec();
  const address = `${spec.temporal.host}:${spec.temporal.port}`;
  const connection = await NativeConnection.connect({ address });
  const pool = new pg.Pool({ connectionString: workerConfig(s.ops, spec).appDbUrl, max: 4 });
  const worker = await Worker.create({
    connection,
    namespace: spec.temporal.namespace,
    taskQueue,
    workflowBundle: bundle,
    activities: createActivities({ pool, config: { ...workerConfig(s.ops, spec), taskQueue } }),
  });
  const client = new Client({
    connection: await Connection.connect({ address }),
    namespace: spec.temporal.namespace,
  });
  try {
    await worker.runUntil(() => work(client));
  } finally {
    await pool.end();
    await connection.close();
  }
}

afterAll(async () => {
  await s?.stop();
});

describe('workflow versioning', () => {
  async function recordOn(
    bundle: WorkflowBundleWithSourceMap,
    taskQueue: string,
    cycles: ReadonlyArray<readonly [number, readonly number[]]>,
  ) {
    await withWorkerOf(bundle, taskQueue, async (client) => {
      for (const [cycleId, reportIds] of cycles) {
        const handle = await client.workflow.start(WORKFLOW_TYPE, {
          workflowId: `test-cycle-${cycleId}`,
          taskQueue,
          args: [input(cycleId, [...reportIds])],
        });
        await handle.result().catch(() => undefined);
        histories.push({ workflowId: handle.workflowId, history: await handle.fetchHistory() });
      }
    });
  }

  /** Records a cycle that completes and one that fails on data (report 40) and compensates, both of `version`. */
  async function recordBothPaths(
    bundle: WorkflowBundleWithSourceMap,
    taskQueue: string,
    [completes, fails]: readonly [number, number],
    version: number,
  ) {
    await recordOn(bundle, taskQueue, [
      [completes, [1, 2]],
      [fails, [1, 40]],
    ]);
    const versions = await rows<{ workflow_id: string; version: number; status: string }>(
      s.db,
      `SELECT workflow_id, version, status FROM workflow_executions WHERE workflow_id = ANY($1) ORDER BY 1`,
      [[`test-cycle-${completes}`, `test-cycle-${fails}`]],
    );
    expect(versions).toEqual([
      { workflow_id: `test-cycle-${completes}`, version, status: 'completed' },
      { workflow_id: `test-cycle-${fails}`, version, status: 'failed' },
    ]);
  }

  it('records histories with the previous version, on a worker of that version', async () => {
    // The failing one fails on data in phase 5 and compensates: the other path through the code.
    await recordBothPaths(previous, 'previous-version', [501, 502], 1);
  });

  it('runs a cycle started before validated human steps on its signals, in any order, as it did', async () => {
    await withWorkerOf(beforeRelease, 'before-release-steps', async (client) => {
      const handle = await client.workflow.start(WORKFLOW_TYPE, {
        workflowId: 'test-cycle-504',
        taskQueue: 'before-release-steps',
        args: [{ ...input(504, [1, 2]), autoApprove: false }],
      });
      // That version buffered a step sent early and used it when the cycle got there.
      await handle.signal('testResult', { result: 'pass' });
      await waitingAt(s.db, handle.workflowId, 'scope_approval');
      // The console's step goes to such a cycle as the old signal, once its tracking rows say it is due.
      const early = await s.ops.router.call('workflows.answerRfi', {
        workflowId: handle.workflowId,
        by: 'qa',
        answers: [{ reportId: 1, response: 'too early' }],
      });
      expect(early.ok).toBe(false);
      const approved = await s.ops.router.invoke('workflows.approveScope', {
        workflowId: handle.workflowId,
        approved: true,
        by: 'qa',
      });
      expect(approved.changed).toMatch(/approveScope signal sent/);
      await waitingAt(s.db, handle.workflowId, 'rfi_responses');
      for (const reportId of [1, 2])
        await handle.signal('rfiResponse', { reportId, response: `records for report ${reportId}` });
      await handle.result();
      histories.push({ workflowId: handle.workflowId, history: await handle.fetchHistory() });
    });
    const [exec] = await rows<{ version: number; status: string }>(
      s.db,
      `SELECT version, status FROM workflow_executions WHERE workflow_id = 'test-cycle-504'`,
    );
    expect(exec).toEqual({ version: 2, status: 'completed' });
  });

  it('records histories with the version before the saga (compensation as it was), on a worker of that version', async () => {
    // The failing one compensates the old way.
    await recordBothPaths(beforeRelease, 'before-release-saga', [511, 512], 2);
  });

  it('records histories with the version before tracking rode on the activities, on a worker of that version', async () => {
    // The failing one compensates with the saga.
    await recordBothPaths(beforeCarried, 'before-carried-tracking', [521, 522], 4);
  });

  it('replays every previous-version history against the current code', async () => {
    expect(histories).toHaveLength(7);
    const results = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: { codePath: path.join(root, 'dist/worker/workflow-bundle.js') } },
      histories,
    )) {
      results.push({ workflowId: r.workflowId, error: r.error?.message });
    }
    expect(results).toEqual([
      { workflowId: 'test-cycle-501', error: undefined },
      { workflowId: 'test-cycle-502', error: undefined },
      { workflowId: 'test-cycle-504', error: undefined },
      { workflowId: 'test-cycle-511', error: undefined },
      { workflowId: 'test-cycle-512', error: undefined },
      { workflowId: 'test-cycle-521', error: undefined },
      { workflowId: 'test-cycle-522', error: undefined },
    ]);
  });

  it('the replay check can fail: a current-version history does not replay on the previous code', async () => {
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 503,
      reportIds: [1],
      skipPhases: [],
      autoApprove: true,
    });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok).toBe(true);
    const history = await (await s.ops.cycles.client()).workflow.getHandle(workflowId).fetchHistory();
    const errors: Array<string | undefined> = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: previous }, [{ workflowId, history }]))
      errors.push(r.error?.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeDefined();
  });

  it('records the version change in workflow_migration_history', async () => {
    const history = await rows<{ from_version: number | null; to_version: number; patches: string[] }>(
      s.db,
      'SELECT from_version, to_version, patches FROM workflow_migration_history ORDER BY to_version',
    );
    expect(history).toEqual([
      { from_version: null, to_version: 1, patches: [] },
      { from_version: 1, to_version: 2, patches: ['summarize-final-report'] },
      // Version 3 (validated human steps without the saga) never ran here: the first cycle after version 2 is 4.
      {
        from_version: 2,
        to_version: 4,
        patches: ['summarize-final-report', 'validated-human-steps', 'truthful-compensation'],
      },
      {
        from_version: 4,
        to_version: 5,
        patches: [
          'summarize-final-report',
          'validated-human-steps',
          'truthful-compensation',
          'tracking-in-activities',
        ],
      },
    ]);
  });
  it('writes tracking rows exactly as complete as the version before, on the path that completes and the one that compensates', async () => {
    // What a cycle's ledger holds, without times and ids: every table the tracking writes.
    const ledger = async (workflowId: string) => ({
      phases: await rows(
        s.db,
        `SELECT phase, status, started_at IS NOT NULL AS started, finished_at IS NOT NULL AS finished,
                duration_ms IS NOT NULL AS timed, active_ms IS NOT NULL AS active, failure IS NOT NULL AS failed
           FROM workflow_phases WHERE workflow_id = $1 ORDER BY phase_number`,
        [workflowId],
      ),
      transitions: await rows(
        s.db,
        `SELECT from_phase, to_phase, kind FROM workflow_transitions WHERE workflow_id = $1 ORDER BY 1, 2`,
        [workflowId],
      ),
      activities: await rows(
        s.db,
        `SELECT activity_type, phase, status, finished_at >= first_started_at AS ordered
           FROM workflow_activities WHERE workflow_id = $1 ORDER BY 1`,
        [workflowId],
      ),
      metrics: await rows(
        s.db,
        `SELECT phase, metric FROM workflow_metrics WHERE workflow_id = $1 ORDER BY 1, 2`,
        [workflowId],
      ),
      steps: await rows(
        s.db,
        `SELECT phase, step, status FROM workflow_steps WHERE workflow_id = $1 ORDER BY 1, 2`,
        [workflowId],
      ),
      execution: await rows(
        s.db,
        `SELECT status, finished_at IS NOT NULL AS finished, failure IS NOT NULL AS failed
           FROM workflow_executions WHERE workflow_id = $1`,
        [workflowId],
      ),
    });
    for (const [cycleId, reportIds, before] of [
      [523, [1, 2], 'test-cycle-521'],
      [524, [1, 40], 'test-cycle-522'],
    ] as const) {
      const { workflowId } = await runCycle(s.ops, cycleId, reportIds);
      const [exec] = await rows<{ version: number }>(
        s.db,
        'SELECT version FROM workflow_executions WHERE workflow_id = $1',
        [workflowId],
      );
      expect(exec!.version).toBe(5);
      const now = await ledger(workflowId);
      expect(now.phases.length).toBeGreaterThan(0);
      expect(now).toEqual(await ledger(before));
    }
  });
});
