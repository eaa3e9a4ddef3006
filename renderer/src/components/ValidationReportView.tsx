import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { ValidationReport } from '../../../main/api/contract';

const COLOUR = {
  healthy: 'success',
  degraded: 'warning',
  failed: 'error',
  off: 'default',
  skipped: 'default',
} as const;

export function ValidationReportView({ report }: { report: ValidationReport }) {
  return (
    <div data-testid="validation-report" data-overall={report.overall}>
      <Typography variant="subtitle1" sx={{ fontWeight: 600, my: 1 }}>
        Validation:{' '}
        <Chip
          size="small"
          color={COLOUR[report.overall]}
          label={report.summary ?? report.overall}
          data-testid="validation-summary"
        />{' '}
        at {new Date(report.checkedAt).toLocaleTimeString()}
      </Typography>
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Service</TableCell>
            <TableCell>Check</TableCell>
            <TableCell>Result</TableCell>
            <TableCell>Detail</TableCell>
            <TableCell>Fix</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {report.checks.map((c) => (
            <TableRow key={c.id} data-testid={`check-${c.id}`} data-status={c.status}>
              <TableCell>{c.group}</TableCell>
              <TableCell>{c.label}</TableCell>
              <TableCell>
                <Chip size="small" color={COLOUR[c.status]} label={c.status} />
              </TableCell>
              <TableCell>{c.detail}</TableCell>
              <TableCell>{c.status === 'healthy' || c.status === 'off' ? '' : c.fix}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
