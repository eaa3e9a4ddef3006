import { createTheme, type PaletteMode } from '@mui/material/styles';

export function buildTheme(mode: PaletteMode) {
  return createTheme({
    palette: {
      mode,
      primary: { main: mode === 'dark' ? '#7aa2f7' : '#2f5bd3' },
      secondary: { main: mode === 'dark' ? '#bb9af7' : '#7c4dff' },
      background:
        mode === 'dark' ? { default: '#121418', paper: '#1a1d23' } : { default: '#f6f7f9', paper: '#ffffff' },
    },
    shape: { borderRadius: 8 },
    typography: {
      fontSize: 13,
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
      h5: { fontWeight: 600 },
      h6: { fontWeight: 600 },
    },
    components: {
      MuiButton: {
        defaultProps: { size: 'small', disableElevation: true },
        styleOverrides: { root: { textTransform: 'none' } },
      },
      MuiCard: { defaultProps: { variant: 'outlined' } },
      MuiTextField: { defaultProps: { size: 'small', fullWidth: true } },
      MuiSelect: { defaultProps: { size: 'small' } },
    },
  });
}

/** Monospace for logs and identifiers. */
export const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';
