// The four services as the operator reads them, whichever provider runs them.
import type { ServiceId } from '../api';

export const SERVICE_LABELS: Record<ServiceId, string> = {
  'app-postgres': 'App PostgreSQL',
  'temporal-postgres': 'Temporal PostgreSQL',
  temporal: 'Temporal server',
  'temporal-ui': 'Temporal Web UI',
};
