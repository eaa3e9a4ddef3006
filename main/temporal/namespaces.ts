// The namespaces.* operations against the stack in force (embedded or attached), and the Settings retention
// applied to the namespace the settings name.
import { msToTs, tsToMs } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { OpsError } from '../api';
import type { Namespace, SettingsView } from '../api';
import type { Router } from '../api';
import type { Logger } from '../logs';

type DescribeResponse = temporal.api.workflowservice.v1.IDescribeNamespaceResponse;

const STATES: Record<number, Namespace['state']> = { 1: 'registered', 2: 'deprecated', 3: 'deleted' };
const HOUR_MS = 3_600_000;

export function namespaceOf(response: DescribeResponse, inUse: string): Namespace {
  const info = response.namespaceInfo ?? {};
  const retention = response.config?.workflowExecutionRetentionTtl;
  return {
    name: info.name ?? '',
    id: info.id ?? '',
    state: STATES[Number(info.state ?? 0)] ?? 'unknown',
    retentionHours: retention ? Math.round((tsToMs(retention) / HOUR_MS) * 100) / 100 : 0,
    description: info.description ?? '',
    ownerEmail: info.ownerEmail ?? '',
    inUse: info.name === inUse,
  };
}

/** gRPC NOT_FOUND and ALREADY_EXISTS in the operator's words; anything else as it came. */
function explain(err: unknown, name: string): never {
  const code = (err as { code?: number }).code;
  if (code === 5)
    throw new OpsError(
      'NOT_FOUND',
      `There is no namespace named "${name}".`,
      'List them with namespaces.list.',
    );
  if (code === 6)
    throw new OpsError(
      'CONFLICT',
      `A namespace named "${name}" exists already.`,
      'Choose another name, or change its retention with update.',
    );
  throw err;
}

export class NamespaceService {
  constructor(
    private readonly router: Router,
    private readonly client: () => Promise<Client>,
    private readonly inUse: () => string,
    private readonly log: Logger,
  ) {
    router.register({
      'namespaces.list': () => this.list(),
      'namespaces.describe': ({ name }) => this.describe(name),
      'namespaces.create': async ({ name, retentionHours, description, ownerEmail }) => {
        const service = (await this.client()).workflowService;
        await service
          .registerNamespace({
            namespace: name,
            workflowExecutionRetentionPeriod: msToTs(retentionHours * HOUR_MS),
            description,
            ownerEmail,
          })
          .catch((err: unknown) => explain(err, name));
        this.log.info(`created namespace ${name} (retention ${retentionHours} h)`);
        // A namespace just registered is known to every frontend only after its cache refreshes: wait for it.
        for (let i = 0; ; i++) {
          try {
            return await this.describe(name);
          } catch (err) {
            if (i >= 100 || !(err instanceof OpsError) || err.code !== 'NOT_FOUND') throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      },
      'namespaces.update': async ({ name, retentionHours, description }) => {
        const service = (await this.client()).workflowService;
        await service
          .updateNamespace({
            namespace: name,
            ...(description !== undefined ? { updateInfo: { description } } : {}),
            ...(retentionHours !== undefined
              ? { config: { workflowExecutionRetentionTtl: msToTs(retentionHours * HOUR_MS) } }
              : {}),
          })
          .catch((err: unknown) => explain(err, name));
        this.log.info(
          `updated namespace ${name}${retentionHours !== undefined ? ` (retention ${retentionHours} h)` : ''}`,
        );
        return this.describe(name);
      },
    });
  }

  async list(): Promise<Namespace[]> {
    const service = (await this.client()).workflowService;
    const found: Namespace[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await service.listNamespaces({ pageSize: 100, nextPageToken });
      for (const ns of page.namespaces ?? []) found.push(namespaceOf(ns, this.inUse()));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    // Temporal's own system namespace is not the operator's to change.
    return found.filter((n) => n.name !== 'temporal-system').sort((a, b) => a.name.localeCompare(b.name));
  }

  async describe(name: string): Promise<Namespace> {
    const service = (await this.client()).workflowService;
    const response = await service
      .describeNamespace({ namespace: name })
      .catch((err: unknown) => explain(err, name));
    return namespaceOf(response, this.inUse());
  }

  /**
   * Settings → Temporal → retention applies to the namespace the settings name: a change is carried to the
   * server through the router (so a read-only profile refuses it and the audit trail records it).
   */
  followSettings(): () => void {
    let last: string | undefined;
    return this.router.events.subscribe((name, payload) => {
      if (name !== 'settings.changed') return;
      const { namespace, namespaceRetentionH } = (payload as SettingsView).settings.temporal;
      const key = `${namespace}:${namespaceRetentionH}`;
      if (key === last) return;
      last = key;
      void this.describe(namespace)
        .then((ns) =>
          ns.retentionHours === namespaceRetentionH
            ? undefined
            : this.router.invoke('namespaces.update', {
                name: namespace,
                retentionHours: namespaceRetentionH,
              }),
        )
        .catch((err: Error) =>
          this.log.warn(
            `retention of namespace ${namespace} not applied yet (${err.message}); it is applied when you save it again with the stack running`,
          ),
        );
    });
  }
}
