// The stack's Temporal namespaces: state and retention, create one, change a retention.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import type { Namespace } from '../../../main/api/contract';
import { ErrorAlert } from '../components/ErrorAlert';
import { useNamespaces } from '../stores/namespaces';

function RetentionCell({ ns, onSave }: { ns: Namespace; onSave: (hours: number) => Promise<boolean> }) {
  const [value, setValue] = useState(String(ns.retentionHours));
  useEffect(() => setValue(String(ns.retentionHours)), [ns.retentionHours]);
  const changed = Number(value) !== ns.retentionHours;
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      <TextField
        value={value}
        onChange={(e) => setValue(e.target.value)}
        slotProps={{ htmlInput: { 'aria-label': `Retention of ${ns.name} in hours`, inputMode: 'numeric' } }}
        sx={{ width: 100 }}
      />
      <Typography variant="body2">h</Typography>
      {changed && (
        <Button
          size="small"
          onClick={() => void onSave(Number(value))}
          data-testid={`namespace-save-${ns.name}`}
        >
          Save
        </Button>
      )}
    </Stack>
  );
}

export function NamespacesPage() {
  const { namespaces, error, load, create, setRetention, clearError } = useNamespaces();
  const [name, setName] = useState('');
  const [retention, setRetentionInput] = useState('72');
  const [description, setDescription] = useState('');

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Box>
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
        Namespaces
      </Typography>
      {error && <ErrorAlert error={error} onClose={clearError} />}
      <Table size="small" data-testid="namespace-table">
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Retention</TableCell>
            <TableCell>Description</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {namespaces.map((ns) => (
            <TableRow key={ns.id} data-testid={`namespace-${ns.name}`}>
              <TableCell>
                {ns.name} {ns.inUse && <Chip size="small" label="in use" />}
              </TableCell>
              <TableCell>{ns.state}</TableCell>
              <TableCell>
                <RetentionCell ns={ns} onSave={(hours) => setRetention(ns.name, hours)} />
              </TableCell>
              <TableCell>{ns.description}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Typography variant="h6" sx={{ mt: 3, mb: 1 }}>
        Create a namespace
      </Typography>
      <Stack
        component="form"
        direction="row"
        spacing={1}
        sx={{ alignItems: 'flex-start' }}
        onSubmit={(e) => {
          e.preventDefault();
          void create({ name, retentionHours: Number(retention), description }).then((ok) => {
            if (ok) setName('');
          });
        }}
      >
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required />
        <TextField
          label="Retention (hours)"
          value={retention}
          onChange={(e) => setRetentionInput(e.target.value)}
          helperText="At least 24"
          slotProps={{ htmlInput: { inputMode: 'numeric' } }}
        />
        <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <Button type="submit" variant="contained" data-testid="namespace-create">
          Create
        </Button>
      </Stack>
    </Box>
  );
}
