// Pages whose capabilities come with later issues: each says plainly what it will show.
import Typography from '@mui/material/Typography';
import { EmptyState } from '../components/EmptyState';

function Planned({ title, heading, children }: { title: string; heading: string; children: string }) {
  return (
    <>
      <Typography variant="h5" gutterBottom>
        {title}
      </Typography>
      <EmptyState title={heading}>{children}</EmptyState>
    </>
  );
}

export const WorkflowsPage = () => (
  <Planned title="Workflows" heading="Test cycles will be listed here">
    Every test cycle from Temporal joined with the tracking tables — status, current phase, duration, retries
    and compensations — with a live phase graph of the 8 phases for the one you open. Start the stack and the
    worker to run cycles.
  </Planned>
);

export const CompensationPage = () => (
  <Planned title="Compensation" heading="No compensation recorded">
    Every compensation across cycles will be listed here: cycle, phase, strategy (rollback, notify, skip,
    partial rollback), action, outcome and time, with a link to the cycle&apos;s graph.
  </Planned>
);

export const MetricsPage = () => (
  <Planned title="Metrics" heading="No metrics yet">
    Per-phase duration percentiles, bottlenecks, retry and failure rates and alerts will be charted here once
    cycles have run.
  </Planned>
);

export const BackupsPage = () => (
  <Planned title="Backups" heading="No backup sets">
    Verified backup sets of the app DB and the Temporal DB will be listed here, with wizards to create, verify
    and restore them.
  </Planned>
);
