// The profile in force, on every page: a switcher, the production badge, and the unlock (typing the name).
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import LockIcon from '@mui/icons-material/Lock';
import LockOpenIcon from '@mui/icons-material/LockOpen';
import { useEffect, useState } from 'react';
import { operations, type ProfileMode } from '../../../../main/api/contract';
import { formatGiven, useContractForm } from '../../forms';
import { ErrorAlert } from '../ErrorAlert';
import { effectiveMode, useProfiles } from '../../stores/profiles';
import { useStack } from '../../stores/stack';

const EMBEDDED = '__embedded';

/** The window's colour for a mode: red while production is read-only, amber while unlocked. */
export function modeColour(mode: ProfileMode | undefined): string | undefined {
  if (!mode?.production) return undefined;
  return mode.readOnly ? '#7f1d1d' : '#9a3412';
}

/** The mode in force, re-evaluated every few seconds so an unlock's end shows without an event. */
export function useProfileMode(): ProfileMode | undefined {
  const mode = useProfiles((s) => s.view?.mode);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!mode?.unlockedUntil) return;
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, [mode?.unlockedUntil]);
  return effectiveMode(mode, now);
}

export function UnlockDialog({ name, open, onClose }: { name: string; open: boolean; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [minutes, setMinutes] = useState(15);
  const unlock = useProfiles((s) => s.unlock);
  const error = useProfiles((s) => s.error);
  const busy = useProfiles((s) => s.busy);
  useEffect(() => {
    if (open) setTyped('');
  }, [open]);
  const form = useContractForm(
    operations['profiles.unlock'].input,
    { name, confirm: typed, minutes },
    { labels: { confirm: 'Profile name', minutes: 'For' }, given: { confirm: typed }, resetKey: open },
  );
  const mismatch =
    typed !== '' && typed !== name
      ? `Type the profile's name exactly: ${name}; you gave ${formatGiven(typed)}.`
      : undefined;
  const confirmField = form.field('confirm');
  return (
    <Dialog open={open} onClose={onClose} data-testid="unlock-dialog">
      <DialogTitle>Unlock production profile “{name}”</DialogTitle>
      <DialogContent>
        <Typography variant="body2" sx={{ mb: 2 }}>
          While unlocked, this console may start, signal, cancel and terminate workflows, change the worker
          and restore backups on <b>{name}</b>. Every action is recorded in the audit trail. Type the
          profile&apos;s name to confirm.
        </Typography>
        <TextField
          autoFocus
          fullWidth
          size="small"
          label="Profile name"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          error={confirmField.error || Boolean(mismatch)}
          helperText={confirmField.helperText ?? mismatch}
          slotProps={{ htmlInput: { 'data-testid': 'unlock-confirm' } }}
        />
        <TextField
          select
          size="small"
          label="For"
          value={minutes}
          onChange={(e) => setMinutes(Number(e.target.value))}
          sx={{ mt: 2, minWidth: 160 }}
        >
          {[5, 15, 30, 60].map((m) => (
            <MenuItem key={m} value={m}>
              {m} minutes
            </MenuItem>
          ))}
        </TextField>
        {error && (
          <Box sx={{ mt: 2 }}>
            <ErrorAlert error={error} />
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="warning"
          variant="contained"
          data-testid="unlock-submit"
          disabled={typed !== name || !form.valid || busy}
          onClick={async () => {
            if (await unlock(name, typed, minutes)) onClose();
          }}
        >
          Unlock for {minutes} min
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function ProfileSwitcher() {
  const view = useProfiles((s) => s.view);
  const use = useProfiles((s) => s.use);
  const lock = useProfiles((s) => s.lock);
  const mode = useProfileMode();
  const [unlocking, setUnlocking] = useState(false);
  if (!view) return null;
  const current = mode?.name ?? EMBEDDED;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }} data-testid="profile-switcher">
      <TextField
        select
        size="small"
        variant="outlined"
        value={current}
        onChange={(e) =>
          void use(e.target.value === EMBEDDED ? null : e.target.value).then(() =>
            useStack.getState().refresh(),
          )
        }
        sx={{ minWidth: 180, '& .MuiInputBase-root': { bgcolor: 'background.paper' } }}
        slotProps={{ htmlInput: { 'data-testid': 'profile-select', 'aria-label': 'Connection profile' } }}
      >
        <MenuItem value={EMBEDDED}>Embedded stack</MenuItem>
        {view.profiles.map(({ profile }) => (
          <MenuItem key={profile.name} value={profile.name} data-testid={`profile-option-${profile.name}`}>
            {profile.name}
            {profile.production ? ' (production)' : ''}
          </MenuItem>
        ))}
      </TextField>
      {mode?.production &&
        (mode.readOnly ? (
          <Chip
            icon={<LockIcon />}
            label="PRODUCTION · read-only"
            color="error"
            data-testid="production-badge"
            data-read-only="true"
            onClick={() => setUnlocking(true)}
          />
        ) : (
          <Chip
            icon={<LockOpenIcon />}
            label={`PRODUCTION · unlocked until ${new Date(mode.unlockedUntil!).toLocaleTimeString()}`}
            color="warning"
            data-testid="production-badge"
            data-read-only="false"
            onDelete={() => void lock()}
          />
        ))}
      {mode?.name && <UnlockDialog name={mode.name} open={unlocking} onClose={() => setUnlocking(false)} />}
    </Box>
  );
}
