// Retry policies per class and compensation, on the real stack (real Temporal, real Postgres, the real worker).
// Failures come from a row lock held in Postgres, from data, and from two STAND-INS: no LLM and no mail relay can
// run here, so local HTTP servers on 127.0.0.1 speak the OpenAI chat-completions and webhook protocols and
// answer errors on demand. Everything else in the path (fetch, retries, the retry log) is the product's own.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addProblemReport,
  outcome,
  rows,
  startCycleStack,
  waitFor,
  startToRfi,
  waitingAt,
  type CycleStack,
} from '../../support/cycle-stack';

let s: CycleStack;
let server: http.Server;
const failures = { llm: 0, mail: 0 };
let llmDown = false;

function startFlakyServices(): Promise<number> {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/v1/chat/completions') {
        if (llmDown || failures.llm > 0) {
          if (!llmDown) failures.llm--;
          res.writeHead(503).end('overloaded');
          return;
        }
        const summary = body.includes('summarise');
        const content = summary
          ? 'All tests ran.'
          : JSON.stringify([
              { code: 'L01', name: 'Completeness', description: 'All fields present' },
              { code: 'L02', name: 'Accuracy', description: 'Values match the source' },
            ]);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { content } }] }));
        return;
      }
      if (req.url === '/send') {
        if (failures.mail > 0) {
          failures.mail--;
          res.writeHead(500).end('relay down');
          return;
        }
        res.writeHead(200).end('ok');
        return;
      }
      res.writeHead(404).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

beforeAll(async () => {
  const port = await startFlakyServices();
  s = await startCycleStack({
    llmBaseUrl: `http://127.0.0.1:${port}/v1`,
    llmModel: 'test-model',
    mailWebhook: `http://127.0.0.1:${port}/send`,
    dbLockTimeoutMs: 300,
  });
  await s.ops.router.invoke('workflows.createDemoData', { reports: 2 });
});

afterAll(async () => {
  await s?.stop();
  server?.close();
});

interface RetryRow {
  activity_type: string;
  retry_class: string;
  attempt: number;
  backoff_ms: number;
  exhausted: boolean;
  failed_at: Date;
}

describe('retry policies', () => {
  it('records every retry with its class: LLM exponential, database linear, email fixed', async () => {
    failures.llm = 2;
    failures.mail = 2;
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 201,
      reportIds: [1, 2],
      skipPhases: [],
      autoApprove: false,
    });
    await waitingAt(s.db, workflowId, 'scope_approval');

    // Hold the cycle's scoping decisions: the approval's database work times out on the lock and is retried.
    const locker: pg.PoolClient = await s.db.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT * FROM scoping_decisions WHERE cycle_id = 201 FOR UPDATE');
    await s.ops.router.invoke('workflows.signal', {
      workflowId,
      signal: 'approveScope',
      payload: { approved: true, by: 'qa-lead' },
    });
    await waitFor(
      async () =>
        (
          await rows(
            s.db,
            `SELECT 1 FROM workflow_activity_retry_log WHERE workflow_id = $1 AND activity_type = 'recordScopeApproval'`,
            [workflowId],
          )
        ).length >= 2,
      60_000,
      'two database retries',
    );
    await locker.query('COMMIT');
    locker.release();

    await waitingAt(s.db, workflowId, 'rfi_responses');
    for (const reportId of [1, 2])
      await s.ops.router.invoke('workflows.signal', {
        workflowId,
        signal: 'rfiResponse',
        payload: { reportId, response: `records for report ${reportId} attached` },
      });
    await waitingAt(s.db, workflowId, 'test_results');
    await s.ops.router.invoke('workflows.signal', {
      workflowId,
      signal: 'testResult',
      payload: { result: 'pass' },
    });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok, done.ok ? '' : done.error.message).toBe(true);

    const retries = await rows<RetryRow>(
      s.db,
      `SELECT activity_type, retry_class, attempt, backoff_ms, exhausted, failed_at FROM workflow_activity_retry_log
        WHERE workflow_id = $1 ORDER BY activity_type, attempt`,
      [workflowId],
    );
    const byType = (t: string) => retries.filter((r) => r.activity_type === t);
    expect(byType('generateAttributes').map((r) => [r.retry_class, r.attempt, r.backoff_ms])).toEqual([
      ['llm', 1, 200],
      ['llm', 2, 400],
    ]);
    expect(byType('recordScopeApproval').map((r) => [r.retry_class, r.attempt, r.backoff_ms])).toEqual([
      ['database', 1, 200],
      ['database', 2, 300],
    ]);
    expect(byType('sendRfis').map((r) => [r.retry_class, r.attempt, r.backoff_ms])).toEqual([
      ['email', 1, 200],
      ['email', 2, 200],
    ]);
    expect(retries.every((r) => !r.exhausted)).toBe(true);

    // Each next attempt started no earlier than the recorded backoff after the failure (a lower bound only).
    for (const r of retries) {
      const [next] = await rows<{ started_at: Date }>(
        s.db,
        `SELECT h.started_at FROM workflow_activity_histories h JOIN workflow_activities a USING (workflow_id, run_id, activity_id)
          WHERE h.workflow_id = $1 AND a.activity_type = $2 AND h.attempt = $3`,
        [workflowId, r.activity_type, r.attempt + 1],
      );
      expect(next!.started_at.getTime() - r.failed_at.getTime()).toBeGreaterThanOrEqual(r.backoff_ms - 50);
    }
    const attempts = await rows<{ activity_type: string; attempts: number; status: string }>(
      s.db,
      `SELECT activity_type, attempts, status FROM workflow_activities WHERE workflow_id = $1
         AND activity_type IN ('generateAttributes', 'recordScopeApproval', 'sendRfis') ORDER BY activity_type`,
      [workflowId],
    );
    expect(attempts.map((a) => [a.activity_type, a.attempts, a.status])).toEqual([
      ['generateAttributes', 3, 'completed'],
      ['recordScopeApproval', 3, 'completed'],
      ['sendRfis', 3, 'completed'],
    ]);
    const generators = await rows(
      s.db,
      'SELECT DISTINCT generator FROM test_attributes WHERE cycle_id = 201',
    );
    expect(generators).toEqual([{ generator: 'llm:test-model' }]);
    const delivered = await rows(
      s.db,
      `SELECT 1 FROM message_outbox WHERE cycle_id = 201 AND kind = 'rfi' AND status = 'delivered'`,
    );
    expect(delivered).toHaveLength(2);
  });

  it('raises an alert when a class exhausts its attempts, and the cycle fails', async () => {
    llmDown = true;
    try {
      const { workflowId } = await s.ops.router.invoke('workflows.start', {
        cycleId: 202,
        reportIds: [1],
        skipPhases: [],
        autoApprove: true,
      });
      const done = await outcome(s.ops, workflowId);
      expect(done.ok).toBe(false);
      const retries = await rows<RetryRow>(
        s.db,
        'SELECT attempt, exhausted FROM workflow_activity_retry_log WHERE workflow_id = $1 ORDER BY attempt',
        [workflowId],
      );
      expect(retries.map((r) => [r.attempt, r.exhausted])).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ]);
      const alerts = await rows(
        s.db,
        `SELECT kind, phase FROM workflow_alerts WHERE workflow_id = $1 AND kind = 'retries_exhausted'`,
        [workflowId],
      );
      expect(alerts).toEqual([{ kind: 'retries_exhausted', phase: 'planning' }]);
      // The failed phase is compensated too (it may have done part of its work); its failure stays on record.
      const [phase] = await rows<{ status: string; failure: string }>(
        s.db,
        `SELECT status, failure FROM workflow_phases WHERE workflow_id = $1 AND phase = 'planning'`,
        [workflowId],
      );
      expect(phase!.status).toBe('compensated');
      expect(phase!.failure).toMatch(/overloaded|503/);
    } finally {
      llmDown = false;
    }
  });
});

describe('compensation', () => {
  it('compensates the completed phases in reverse, each by its strategy, when bad data fails a late phase', async () => {
    // A report whose data owner has no email address: Request for Information cannot reach them.
    await addProblemReport(s.db, {
      id: 30,
      name: 'Broken report',
      population: 40,
      owner: 'Unreachable owner',
    });
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 301,
      reportIds: [1, 30],
      skipPhases: [],
      autoApprove: true,
    });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok).toBe(false);
    if (!done.ok) expect(done.error.message).toMatch(/Unreachable owner.*no email address/);

    const log = await rows<{ phase: string; strategy: string; outcome: string }>(
      s.db,
      'SELECT phase, strategy, outcome FROM workflow_compensation_log WHERE workflow_id = $1 ORDER BY id',
      [workflowId],
    );
    const finished = await rows<{ phase: string; finished_at: Date }>(
      s.db,
      `SELECT phase, finished_at FROM workflow_phases WHERE workflow_id = $1 AND status = 'compensated'`,
      [workflowId],
    );
    const finishedAt = (phase: string) => finished.find((f) => f.phase === phase)!.finished_at.getTime();
    // Reverse order of completion: the later a phase finished, the earlier it is compensated.
    for (let i = 1; i < log.length; i++)
      expect(finishedAt(log[i - 1]!.phase)).toBeGreaterThanOrEqual(finishedAt(log[i]!.phase));
    expect(log.map((l) => l.phase).slice(-2)).toEqual(['scoping', 'planning']);
    // The phase that failed is undone first (its own partial work), then the completed ones.
    expect(log[0]!.phase).toBe('request_for_information');
    expect(log).toHaveLength(5);
    expect(Object.fromEntries(log.map((l) => [l.phase, l.strategy]))).toEqual({
      request_for_information: 'notify',
      data_owner_identification: 'partial_rollback',
      sample_selection: 'rollback',
      scoping: 'notify',
      planning: 'rollback',
    });
    expect(log.every((l) => l.outcome === 'done')).toBe(true);

    const count = async (table: string) =>
      (await rows<{ n: number }>(s.db, `SELECT count(*)::int AS n FROM ${table} WHERE cycle_id = 301`))[0]!.n;
    expect(await count('test_attributes')).toBe(0);
    expect(await count('samples')).toBe(0);
    // Partial rollback: the unreachable owner's assignment goes, the confirmed one stays.
    const kept = await rows(s.db, 'SELECT report_id FROM data_owner_assignments WHERE cycle_id = 301');
    expect(kept).toEqual([{ report_id: 1 }]);
    const notices = await rows(
      s.db,
      `SELECT recipient FROM message_outbox WHERE cycle_id = 301 AND kind = 'compensation'`,
    );
    expect(notices.length).toBeGreaterThan(0);
    const [rfi] = await rows(
      s.db,
      `SELECT status, failure FROM workflow_phases WHERE workflow_id = $1 AND phase = 'request_for_information'`,
      [workflowId],
    );
    expect(rfi).toMatchObject({ status: 'compensated' });
    expect(String(rfi!.failure)).toMatch(/no email address/);
    const alerts = await rows(
      s.db,
      `SELECT kind FROM workflow_alerts WHERE workflow_id = $1 AND kind = 'data_error'`,
      [workflowId],
    );
    expect(alerts).toHaveLength(1);
  });

  it('compensates when the cycle is cancelled mid-way, including the interrupted phase', async () => {
    const workflowId = await startToRfi(s, 302, [1, 2], 'qa-lead');
    await s.ops.router.invoke('workflows.cancel', { workflowId, reason: 'scope changed' });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok).toBe(false);
    const log = await rows<{ phase: string }>(
      s.db,
      'SELECT phase FROM workflow_compensation_log WHERE workflow_id = $1 ORDER BY id',
      [workflowId],
    );
    expect(log[0]!.phase).toBe('request_for_information');
    expect(log.map((l) => l.phase).slice(-2)).toEqual(['scoping', 'planning']);
    expect(log).toHaveLength(5);
    const rfis = await rows(s.db, 'SELECT DISTINCT status FROM rfis WHERE cycle_id = 302');
    expect(rfis).toEqual([{ status: 'withdrawn' }]);
    const [exec] = await rows(s.db, 'SELECT status FROM workflow_executions WHERE workflow_id = $1', [
      workflowId,
    ]);
    expect(exec).toEqual({ status: 'cancelled' });
  });

  it('rejects a signal whose payload is malformed, and changes nothing', async () => {
    const bad = await s.ops.router.call('workflows.signal', {
      workflowId: 'test-cycle-302',
      signal: 'approveScope',
      payload: { approved: 'yes' },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
