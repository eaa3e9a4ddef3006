import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import FormControlLabel from '@mui/material/FormControlLabel';
import Grid from '@mui/material/Grid';
import MenuItem from '@mui/material/MenuItem';
import Snackbar from '@mui/material/Snackbar';
import Switch from '@mui/material/Switch';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState, type ReactNode } from 'react';
import {
  SettingsPatchSchema,
  type Settings,
  type SettingsPatch,
  type SettingsView,
} from '../../../main/api/contract';
import { ErrorAlert } from '../components/ErrorAlert';
import { useContractForm } from '../forms';
import { SecretStoreNotice } from '../components/SecretStoreNotice';
import { useSettings } from '../stores/settings';

type Draft = Settings;

function getPath(obj: unknown, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], obj);
}

function setPath(obj: Draft, dotted: string, value: unknown): Draft {
  const copy = structuredClone(obj) as unknown as Record<string, unknown>;
  const keys = dotted.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1] as string] = value;
  return copy as unknown as Draft;
}

/** What the operator calls each setting: the field's label and the subject of its error. */
const LABELS: Record<string, string> = {
  'temporal.host': 'Server address',
  'temporal.namespace': 'Namespace',
  'temporal.taskQueue': 'Task queue',
  'temporal.activityTimeoutS': 'Activity timeout (s)',
  'temporal.workflowTimeoutS': 'Workflow timeout (s)',
  'temporal.namespaceRetentionH': 'Namespace retention (h)',
  'stack.ports.appPostgres': 'App PostgreSQL port',
  'stack.ports.temporalPostgres': 'Temporal PostgreSQL port',
  'stack.ports.temporal': 'Temporal port',
  'stack.ports.temporalUi': 'Temporal Web UI port',
  'stack.dataDir': 'Data folder',
  'worker.maxConcurrentActivities': 'Max concurrent activities',
  'worker.retryBaseMs': 'Retry base delay (ms)',
  'worker.dbLockTimeoutMs': 'Database lock timeout (ms)',
  'worker.attentionTimeoutH': 'Wait for the operator at most (hours)',
  'worker.waitingReminderMin': 'Remind after waiting for a person (min)',
  'worker.llmBaseUrl': 'LLM endpoint (OpenAI-compatible)',
  'worker.llmModel': 'LLM model',
  'worker.mailWebhook': 'Mail relay (HTTP POST)',
  'stack.archiving.segmentTimeoutS': 'Close a segment at least every (s)',
  'stack.archiving.baseBackupEveryH': 'Base backup every (hours, 0: on request)',
  'stack.archiving.keepBaseBackups': 'Base backups kept',
  'stack.ports': 'Ports',
  'logs.maxFileMb': 'Start a new log file at (MB)',
  'logs.keepFiles': 'Old log files kept per service',
};

/**
 * The patch a save sends: fields set by the environment stay as they are in the file, and an emptied number is
 * null (the schema then names the field as required instead of saying "NaN").
 */
function patchOf(draft: Draft, view: SettingsView): SettingsPatch {
  let patch = structuredClone(draft);
  for (const { path } of view.overrides) patch = setPath(patch, path, getPath(view.settings, path));
  const nanToNull = (v: unknown): unknown =>
    typeof v === 'number' && Number.isNaN(v)
      ? null
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nanToNull(x)]))
        : v;
  return nanToNull(patch) as SettingsPatch;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card sx={{ mb: 2 }}>
      <CardContent>
        <Typography variant="subtitle1" sx={{ fontWeight: 600, mb: 2 }}>
          {title}
        </Typography>
        <Grid container spacing={2}>
          {children}
        </Grid>
      </CardContent>
    </Card>
  );
}

export function SettingsPage() {
  const { view, error, saving, save, load } = useSettings();
  const [draft, setDraft] = useState<Draft | undefined>(view?.settings);
  const [saved, setSaved] = useState(false);
  const [loadedAt, setLoadedAt] = useState(0);
  const patch = draft && view ? patchOf(draft, view) : undefined;
  const form = useContractForm(SettingsPatchSchema, patch, {
    labels: LABELS,
    given: Object.fromEntries(Object.keys(LABELS).map((path) => [path, draft && getPath(draft, path)])),
    resetKey: loadedAt,
  });

  useEffect(() => {
    if (!view) void load();
  }, [view, load]);
  useEffect(() => {
    if (view) setDraft(view.settings);
    setLoadedAt((n) => n + 1);
  }, [view]);

  if (!draft || !view)
    return error ? (
      <ErrorAlert error={error} />
    ) : (
      <Typography color="text.secondary">Loading settings…</Typography>
    );

  const overrideOf = (path: string) => view.overrides.find((o) => o.path === path);
  // A rule over all ports ("every service needs its own port") shows on each port field.
  const errorOf = (path: string) =>
    form.errorOf(path) ?? (path.startsWith('stack.ports.') ? form.errorOf('stack.ports') : undefined);

  const field = (path: string, kind: 'text' | 'number' = 'text', help?: string) => {
    const label = LABELS[path] ?? path;
    const override = overrideOf(path);
    const value = getPath(draft, path) as string | number;
    return (
      <Grid size={{ xs: 12, sm: 6, md: 4 }} key={path}>
        <TextField
          label={label}
          type={kind}
          value={value}
          disabled={Boolean(override)}
          error={Boolean(errorOf(path))}
          helperText={errorOf(path) ?? (override ? `Set by $${override.variable}` : help)}
          onChange={(e) =>
            setDraft(
              setPath(
                draft,
                path,
                kind === 'number' ? (e.target.value === '' ? NaN : Number(e.target.value)) : e.target.value,
              ),
            )
          }
          slotProps={{ htmlInput: { 'data-testid': `setting-${path}` } }}
        />
      </Grid>
    );
  };

  const toggle = (path: string, label: string) => {
    const override = overrideOf(path);
    return (
      <Grid size={{ xs: 12, sm: 6, md: 4 }} key={path}>
        <FormControlLabel
          control={
            <Switch
              checked={Boolean(getPath(draft, path))}
              disabled={Boolean(override)}
              onChange={(e) => setDraft(setPath(draft, path, e.target.checked))}
              slotProps={{ input: { 'data-testid': `setting-${path}` } as object }}
            />
          }
          label={override ? `${label} (set by $${override.variable})` : label}
        />
      </Grid>
    );
  };

  const onSave = async () => {
    if (!form.data) return form.reveal();
    const refused = await save(form.data);
    if (!refused) setSaved(true);
    else form.absorb(refused);
  };
  const invalid = Object.keys(LABELS).some((path) => errorOf(path)) || form.formErrors.length > 0;

  return (
    <Box sx={{ maxWidth: 1100 }}>
      <Typography variant="h5" component="h1" gutterBottom>
        Settings
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Saved to {view.file}. Passwords are generated per installation and never stored here.
      </Typography>
      <SecretStoreNotice secretStore={view.secretStore} />
      {error && <ErrorAlert error={error} />}
      {invalid && (
        <Alert severity="warning" sx={{ mb: 2 }} data-testid="settings-invalid">
          Nothing is saved until the fields marked in red are corrected.
          {form.formErrors.map((text) => (
            <div key={text}>{text}</div>
          ))}
        </Alert>
      )}
      <Section title="Appearance">
        <Grid size={{ xs: 12, sm: 6, md: 4 }}>
          <TextField
            select
            label="Theme"
            value={draft.theme}
            onChange={(e) => setDraft({ ...draft, theme: e.target.value as Draft['theme'] })}
            slotProps={{ htmlInput: { 'data-testid': 'setting-theme' } }}
          >
            <MenuItem value="system">Follow the system</MenuItem>
            <MenuItem value="light">Light</MenuItem>
            <MenuItem value="dark">Dark</MenuItem>
          </TextField>
        </Grid>
      </Section>
      <Section title="Temporal">
        {field('temporal.host', 'text', 'host:port of the frontend')}
        {field('temporal.namespace')}
        {field('temporal.taskQueue')}
        {field('temporal.activityTimeoutS', 'number')}
        {field('temporal.workflowTimeoutS', 'number')}
        {field('temporal.namespaceRetentionH', 'number')}
      </Section>
      <Section title="Stack">
        <Grid size={{ xs: 12, sm: 6, md: 4 }}>
          <TextField
            select
            label="Provider"
            value={draft.stack.provider}
            onChange={(e) => setDraft(setPath(draft, 'stack.provider', e.target.value))}
            slotProps={{ htmlInput: { 'data-testid': 'setting-stack.provider' } }}
          >
            <MenuItem value="local">Embedded (native processes)</MenuItem>
            <MenuItem value="docker">Docker</MenuItem>
            <MenuItem value="attached">Attached (runs elsewhere)</MenuItem>
          </TextField>
        </Grid>
        {field('stack.ports.appPostgres', 'number')}
        {field('stack.ports.temporalPostgres', 'number')}
        {field('stack.ports.temporal', 'number')}
        {field('stack.ports.temporalUi', 'number')}
        {field('stack.dataDir', 'text', 'Empty: the console data folder')}
        {toggle('stack.enableUi', 'Run the Temporal Web UI')}
        {toggle('stack.startOnLaunch', 'Start the stack when the console opens')}
        {toggle(
          'stack.servicesYield',
          'Keep the console responsive: the services yield the CPU to it, and so to other busy programs too (applies when they next start)',
        )}
      </Section>
      <Section title="Worker">
        {toggle('worker.enabled', 'Run the bundled worker')}
        {toggle('worker.autoApprove', 'Auto-approve human steps (unattended runs)')}
        {toggle(
          'worker.waitForOperator',
          'Resume after manual intervention: a failed phase waits for the operator',
        )}
        {field('worker.attentionTimeoutH', 'number', 'Then the cycle is abandoned and compensated')}
        {field('worker.maxConcurrentActivities', 'number')}
        {field('worker.retryBaseMs', 'number', 'LLM ×2 per retry, database +½, email fixed')}
        {field('worker.dbLockTimeoutMs', 'number')}
        {field('worker.waitingReminderMin', 'number', '0: never')}
        {field('worker.llmBaseUrl', 'text', 'Empty: rule-based attributes')}
        {field('worker.llmModel', 'text')}
        <LlmKeyField />
        {field('worker.mailWebhook', 'text', 'Empty: messages stay in the outbox')}
      </Section>
      <Section title="Point-in-time recovery">
        {toggle(
          'stack.archiving.enabled',
          'Archive every WAL segment of both databases (restart the stack to apply)',
        )}
        {field('stack.archiving.segmentTimeoutS', 'number')}
        {field('stack.archiving.baseBackupEveryH', 'number')}
        {field('stack.archiving.keepBaseBackups', 'number')}
      </Section>
      <Section title="Logs">
        {field('logs.maxFileMb', 'number', 'Each service log is rotated at this size')}
        {field('logs.keepFiles', 'number', 'Older parts are deleted')}
      </Section>
      <Box sx={{ display: 'flex', gap: 1 }}>
        <Button
          variant="contained"
          onClick={() => void onSave()}
          disabled={saving || !form.valid}
          data-testid="settings-save"
        >
          Save
        </Button>
        <Button onClick={() => setDraft(view.settings)} disabled={saving} data-testid="settings-reset">
          Discard changes
        </Button>
      </Box>
      <Snackbar
        open={saved}
        autoHideDuration={2500}
        onClose={() => setSaved(false)}
        message="Settings saved"
      />
    </Box>
  );
}

/** The LLM API key goes to the secret store through its own operation, never into the settings file. */
function LlmKeyField() {
  const setLlmApiKey = useSettings((st) => st.setLlmApiKey);
  const [key, setKey] = useState('');
  const [stored, setStored] = useState<boolean | undefined>();
  return (
    <Grid size={{ xs: 12, sm: 6, md: 4 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
        <TextField
          label="LLM API key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          helperText={stored === undefined ? 'Kept in the secret store' : stored ? 'Stored' : 'Removed'}
          fullWidth
          slotProps={{ htmlInput: { 'data-testid': 'setting-llm-api-key' } }}
        />
        <Button
          onClick={() =>
            void setLlmApiKey(key).then((ok) => {
              if (ok) {
                setStored(key !== '');
                setKey('');
              }
            })
          }
          data-testid="setting-llm-api-key-store"
        >
          {key ? 'Store' : 'Remove'}
        </Button>
      </Stack>
    </Grid>
  );
}
