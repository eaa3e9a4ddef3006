// One filter drop-down: "any" first, then the choices; picking "any" clears the filter. The Workflows filter bar
// and the Compensation ledger build their phase, version, strategy and outcome filters from it.
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import { PHASES } from '../../../main/api/contract';

export interface FilterChoice {
  value: string;
  label: string;
}

/** Every phase, numbered as the graph numbers it. */
export const PHASE_CHOICES: FilterChoice[] = PHASES.map((p) => ({
  value: p.id,
  label: `${p.number}. ${p.label}`,
}));

export function SelectFilter(props: {
  label: string;
  value: string | number | undefined;
  choices: readonly FilterChoice[];
  onChange: (value: string | undefined) => void;
  minWidth: number;
  testId?: string;
}) {
  return (
    <TextField
      select
      label={props.label}
      value={props.value ?? ''}
      onChange={(e) => props.onChange(e.target.value || undefined)}
      slotProps={props.testId ? { htmlInput: { 'data-testid': props.testId } } : undefined}
      sx={{ minWidth: props.minWidth }}
    >
      <MenuItem value="">any</MenuItem>
      {props.choices.map((c) => (
        <MenuItem key={c.value} value={c.value}>
          {c.label}
        </MenuItem>
      ))}
    </TextField>
  );
}
