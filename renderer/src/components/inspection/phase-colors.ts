import type { Theme } from '@mui/material/styles';
import type { PhaseState } from '../../../../main/api/contract';

/** Each phase state's colour from the theme, so the graph reads in light and dark. */
export function stateColor(theme: Theme, state: PhaseState): string {
  switch (state) {
    case 'running':
      return theme.palette.info.main;
    case 'retrying':
      return theme.palette.warning.main;
    case 'completed':
      return theme.palette.success.main;
    case 'failed':
    case 'compensation_failed':
      return theme.palette.error.main;
    case 'needs_attention':
      return theme.palette.warning.dark;
    case 'compensated':
      return theme.palette.secondary.main;
    case 'skipped':
    case 'pending':
      return theme.palette.text.disabled;
  }
}
