// Connection profiles: list, create/edit (secrets go to the secret store and are never shown), test, switch.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { operations, type Profile, type ProfileSecrets, type SslMode } from '../../../main/api/contract';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormErrors, useContractForm } from '../forms';
import { ValidationReportView } from '../components/ValidationReportView';
import { useProfiles } from '../stores/profiles';
import {
  EMPTY,
  FIELD_PATHS,
  SECRET_LABELS,
  SSL_MODES,
  fromProfile,
  toProfile,
  type Draft,
} from '../components/profiles/draft';
import { asFailure, ops } from '../ops/client';

export function ProfilesPage() {
  const { view, error, busy, report, load, save, remove, test, use, clearError } = useProfiles();
  const [draft, setDraft] = useState<Draft | undefined>();
  // Each opening of the editor starts the form over (no error shown until a field is changed).
  const [editing, setEditing] = useState(0);
  const edit = (d: Draft) => {
    setEditing((n) => n + 1);
    setDraft(d);
  };
  const [prepared, setPrepared] = useState<string | undefined>();
  const prepare = async () => {
    try {
      const { applied } = await ops.call('stack.migrateAppDb', {});
      setPrepared(applied.length ? `Applied ${applied.join(', ')}` : 'The app database is up to date');
    } catch (err) {
      useProfiles.setState({ error: asFailure(err) });
    }
  };
  useEffect(() => {
    void load();
  }, [load]);
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) =>
      setDraft((d) => (d ? { ...d, [key]: value } : d));
  const field = (key: keyof Draft, label: string, extra: { multiline?: boolean; width?: number } = {}) => (
    <TextField
      size="small"
      label={label}
      value={draft![key] as string}
      onChange={(e) => set(key)(e.target.value as never)}
      {...form.field(FIELD_PATHS[key]?.[0] ?? key)}
      multiline={extra.multiline}
      minRows={extra.multiline ? 2 : undefined}
      maxRows={extra.multiline ? 4 : undefined}
      sx={{ width: extra.width ?? 220 }}
      slotProps={{ htmlInput: { 'data-testid': `profile-field-${key}` } }}
    />
  );
  const secret = (key: keyof ProfileSecrets, label: string, isSet: boolean) => (
    <TextField
      size="small"
      type="password"
      label={label}
      placeholder={isSet ? '•••• stored — type to replace' : ''}
      value={draft!.secrets[key] ?? ''}
      onChange={(e) => setDraft((d) => (d ? { ...d, secrets: { ...d.secrets, [key]: e.target.value } } : d))}
      {...form.field(`secrets.${key}`)}
      sx={{ width: 260 }}
      slotProps={{ htmlInput: { 'data-testid': `profile-secret-${key}` } }}
    />
  );
  const sslmode = (key: 'appSslmode' | 'tSslmode') => (
    <TextField
      select
      size="small"
      label="sslmode"
      value={draft![key]}
      onChange={(e) => set(key)(e.target.value as SslMode)}
      sx={{ width: 150 }}
    >
      {SSL_MODES.map((m) => (
        <MenuItem key={m} value={m}>
          {m}
        </MenuItem>
      ))}
    </TextField>
  );
  const stored = view?.profiles.find((p) => p.profile.name === draft?.name)?.secretsSet;
  const filledSecrets = (d: Draft) =>
    Object.fromEntries(Object.entries(d.secrets).filter(([, v]) => v !== undefined && v !== ''));
  const form = useContractForm(
    operations['profiles.save'].input,
    draft && { profile: toProfile(draft), secrets: filledSecrets(draft) },
    {
      labels: {
        ...Object.fromEntries(Object.values(FIELD_PATHS).map(([path, label]) => [path, label])),
        ...Object.fromEntries(Object.entries(SECRET_LABELS).map(([k, label]) => [`secrets.${k}`, label])),
      },
      given: draft
        ? Object.fromEntries(
            (Object.entries(FIELD_PATHS) as Array<[keyof Draft, [string, string]]>).map(([key, [path]]) => [
              path,
              draft[key],
            ]),
          )
        : {},
      resetKey: editing,
    },
  );
  const row = { display: 'flex', gap: 2, flexWrap: 'wrap', mb: 2 } as const;

  return (
    <Box>
      <Typography variant="h5" component="h1" gutterBottom>
        Connection profiles
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        A profile names the stack the console looks at: the embedded one, or a cluster that runs elsewhere
        (attached). Passwords, keys and API keys are kept in the secret store, never in the profile file. A
        production profile opens read-only.
      </Typography>
      {error && <ErrorAlert error={error} onClose={clearError} />}
      {prepared && (
        <Typography variant="body2" sx={{ mb: 1 }} data-testid="profile-prepared">
          {prepared}
        </Typography>
      )}
      <Table size="small" sx={{ mb: 2 }} data-testid="profiles-table">
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>Provider</TableCell>
            <TableCell>Temporal</TableCell>
            <TableCell>App database</TableCell>
            <TableCell>Mode</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {view?.profiles.map(({ profile: p }) => (
            <TableRow key={p.name} selected={view.mode.name === p.name} data-testid={`profile-row-${p.name}`}>
              <TableCell>{p.name}</TableCell>
              <TableCell>{p.provider}</TableCell>
              <TableCell>
                {p.temporal
                  ? `${p.temporal.address}${p.temporal.tls.enabled ? ' (TLS)' : ''}`
                  : 'from settings'}
              </TableCell>
              <TableCell>
                {p.appPostgres
                  ? `${p.appPostgres.host}:${p.appPostgres.port} (${p.appPostgres.sslmode})`
                  : '—'}
              </TableCell>
              <TableCell>{p.production ? 'production' : 'normal'}</TableCell>
              <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                <Button size="small" onClick={() => void test(p.name)} disabled={busy}>
                  Test connection
                </Button>
                {p.provider === 'attached' && view.mode.name === p.name && (
                  <Button size="small" onClick={() => void prepare()} disabled={busy}>
                    Prepare app database
                  </Button>
                )}
                <Button size="small" onClick={() => edit(fromProfile(p))}>
                  Edit
                </Button>
                <Button size="small" onClick={() => void use(p.name)} disabled={view.mode.name === p.name}>
                  Use
                </Button>
                <Button size="small" color="error" onClick={() => void remove(p.name)}>
                  Remove
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {!draft && (
        <Button variant="outlined" onClick={() => edit({ ...EMPTY })} data-testid="profile-new">
          New profile
        </Button>
      )}
      {report && (
        <Card variant="outlined" sx={{ my: 2 }}>
          <CardContent>
            <Typography variant="subtitle1">Test of {report.name}</Typography>
            <ValidationReportView report={report.report} />
          </CardContent>
        </Card>
      )}
      {draft && (
        <Card variant="outlined" sx={{ mt: 2 }} data-testid="profile-editor">
          <CardContent>
            <Box sx={row}>
              {field('name', 'Name')}
              <TextField
                select
                size="small"
                label="Provider"
                value={draft.provider}
                onChange={(e) => set('provider')(e.target.value as Profile['provider'])}
                sx={{ width: 160 }}
              >
                {['local', 'docker', 'attached'].map((p) => (
                  <MenuItem key={p} value={p}>
                    {p}
                  </MenuItem>
                ))}
              </TextField>
              <FormControlLabel
                control={
                  <Checkbox
                    checked={draft.production}
                    onChange={(e) => set('production')(e.target.checked)}
                    slotProps={{ input: { 'aria-label': 'Production' } }}
                  />
                }
                label="Production (opens read-only)"
              />
              {field('description', 'Description', { width: 320 })}
            </Box>
            {draft.provider === 'attached' && (
              <>
                <Typography variant="subtitle2" sx={{ mb: 1 }}>
                  Temporal
                </Typography>
                <Box sx={row}>
                  {field('address', 'Address (host:port)')}
                  {field('namespace', 'Namespace')}
                  {field('taskQueue', 'Task queue (optional)')}
                  {field('webUiUrl', 'Web UI address (optional)')}
                  <FormControlLabel
                    control={<Checkbox checked={draft.tls} onChange={(e) => set('tls')(e.target.checked)} />}
                    label="TLS"
                  />
                </Box>
                {draft.tls && (
                  <Box sx={row}>
                    {field('serverName', 'Server name')}
                    {field('ca', 'Server CA (PEM)', { multiline: true, width: 320 })}
                    {field('clientCert', 'Client certificate (PEM)', { multiline: true, width: 320 })}
                    {secret('tlsClientKey', 'Client key (PEM)', Boolean(stored?.tlsClientKey))}
                  </Box>
                )}
                <Box sx={row}>{secret('apiKey', 'API key (optional)', Boolean(stored?.apiKey))}</Box>
                <Typography variant="subtitle2" sx={{ mb: 1 }}>
                  App database
                </Typography>
                <Box sx={row}>
                  {field('appHost', 'Host')}
                  {field('appPort', 'Port', { width: 180 })}
                  {field('appDb', 'Database')}
                  {field('appUser', 'User')}
                  {sslmode('appSslmode')}
                  {field('appCa', 'Server CA (PEM)', { multiline: true, width: 320 })}
                  {secret('appPostgresPassword', 'Password', Boolean(stored?.appPostgresPassword))}
                </Box>
                <Typography variant="subtitle2" sx={{ mb: 1 }}>
                  Temporal&apos;s database (optional)
                </Typography>
                <Box sx={row}>
                  {field('tHost', 'Host')}
                  {field('tPort', 'Port', { width: 180 })}
                  {field('tUser', 'User')}
                  {sslmode('tSslmode')}
                  {field('tCa', 'Server CA (PEM)', { multiline: true, width: 320 })}
                  {secret('temporalPostgresPassword', 'Password', Boolean(stored?.temporalPostgresPassword))}
                </Box>
              </>
            )}
            <FormErrors errors={form.formErrors} testId="profile-form-errors" />
            <Box sx={{ display: 'flex', gap: 1 }}>
              <Button
                variant="contained"
                disabled={busy || !form.valid}
                data-testid="profile-save"
                onClick={async () => {
                  if (!form.data) return form.reveal();
                  const refused = await save(form.data.profile, form.data.secrets ?? {});
                  if (!refused) setDraft(undefined);
                  else useProfiles.setState({ error: form.absorb(refused) });
                }}
              >
                Save
              </Button>
              <Button onClick={() => setDraft(undefined)}>Cancel</Button>
            </Box>
          </CardContent>
        </Card>
      )}
    </Box>
  );
}
