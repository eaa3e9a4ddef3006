import { create } from 'zustand';
import type { PortCheck, StackStatus, ValidationReport, WorkerStatus } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { noteStackState } from './live';
import { storeAction } from './action';

type StackAction = 'start' | 'stop' | 'restart' | 'validate' | `restart:${string}`;

interface StackStore {
  status: StackStatus | undefined;
  worker: WorkerStatus | undefined;
  report: ValidationReport | undefined;
  ports: PortCheck[];
  busy: StackAction | undefined;
  error: OpsFailure | undefined;
  refresh(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  restartService(service: StackStatus['services'][number]['id']): Promise<void>;
  validate(): Promise<void>;
  checkPorts(): Promise<void>;
  remove(deleteData: boolean, confirm: string): Promise<void>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  clearError(): void;
}

export const useStack = create<StackStore>((set, get) => {
  const run = storeAction<StackAction | undefined>(set, undefined, async (failure) => {
    if (failure.code === 'PORT_IN_USE') await get().checkPorts();
  });
  const act = async (busy: StackAction, work: () => Promise<void>) => void (await run(busy, work));
  return {
    status: undefined,
    worker: undefined,
    report: undefined,
    ports: [],
    busy: undefined,
    error: undefined,
    async refresh() {
      try {
        set({ status: await ops.call('stack.status', {}) });
      } catch (err) {
        set({ error: asFailure(err) });
      }
      try {
        set({ worker: await ops.call('worker.status', {}) });
      } catch {
        set({ worker: undefined }); // no worker capability in this build
      }
    },
    start: () => act('start', async () => set({ status: await ops.call('stack.start', {}), ports: [] })),
    stop: () => act('stop', async () => set({ status: await ops.call('stack.stop', {}) })),
    restart: () => act('restart', async () => set({ status: await ops.call('stack.restart', {}) })),
    remove: (deleteData, confirm) =>
      act('stop', async () => {
        await ops.call('stack.remove', { deleteData, ...(deleteData ? { confirm } : {}) });
        await get().refresh();
      }),
    startWorker: () => act('restart:worker', async () => set({ worker: await ops.call('worker.start', {}) })),
    stopWorker: () => act('restart:worker', async () => set({ worker: await ops.call('worker.stop', {}) })),
    restartService: (service) =>
      act(`restart:${service}`, async () =>
        set({ status: await ops.call('stack.restartService', { service }) }),
      ),
    validate: () => act('validate', async () => set({ report: await ops.call('stack.validate', {}) })),
    async checkPorts() {
      try {
        set({ ports: (await ops.call('stack.checkPorts', {})).filter((p) => !p.free) });
      } catch {
        set({ ports: [] });
      }
    },
    clearError: () => set({ error: undefined }),
  };
});

ops.on('stack.status', (status) => useStack.setState({ status }));
// Reads and replies (not only events) tell the liveness store what state the stack is in.
useStack.subscribe((s) => noteStackState(s.status?.state, s.status?.updatedAt));
ops.on('worker.status', (worker) => useStack.setState({ worker }));
