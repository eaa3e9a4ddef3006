import { alpha, createTheme, type PaletteMode } from '@mui/material/styles';

export function buildTheme(mode: PaletteMode) {
  const dark = mode === 'dark';
  const primary = dark ? '#7aa2f7' : '#2f5bd3';
  // A ring that reads on paper and on a filled button in both themes: the primary colour, with a gap of the
  // background between it and the element.
  const focusRing = {
    outline: `3px solid ${dark ? '#a9c1ff' : '#1d3fa6'}`,
    outlineOffset: 2,
  };
  // Disabled controls stay legible (MUI's default dark-mode disabled text is at 30 % and nearly vanishes).
  const disabledText = dark ? 'rgba(255, 255, 255, 0.56)' : 'rgba(0, 0, 0, 0.50)';
  const disabledBorder = dark ? 'rgba(255, 255, 255, 0.32)' : 'rgba(0, 0, 0, 0.24)';
  return createTheme({
    palette: {
      mode,
      primary: { main: primary },
      secondary: { main: dark ? '#bb9af7' : '#7c4dff' },
      // Status text (a warn or error log line, a retried phase) reads at 4.5:1 or better on every surface: MUI's
      // light-theme orange is at 2.9:1 on light paper, its dark-theme red at 3.7:1 on dark paper.
      ...(dark ? { error: { main: '#ff7b72' } } : { warning: { main: '#a84c00' } }),
      background: dark ? { default: '#121418', paper: '#1a1d23' } : { default: '#f6f7f9', paper: '#ffffff' },
      action: {
        disabled: disabledText,
        disabledBackground: dark ? 'rgba(255, 255, 255, 0.14)' : 'rgba(0, 0, 0, 0.10)',
      },
      text: { disabled: disabledText },
    },
    shape: { borderRadius: 8 },
    typography: {
      fontSize: 13,
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
      h5: { fontWeight: 600 },
      h6: { fontWeight: 600 },
    },
    components: {
      MuiCssBaseline: {
        styleOverrides: {
          // Every focusable thing shows where the keyboard is, not only MUI's own controls.
          ':focus-visible': focusRing,
          '.Mui-focusVisible': focusRing,
        },
      },
      MuiButton: {
        defaultProps: { size: 'small', disableElevation: true },
        styleOverrides: {
          root: {
            textTransform: 'none',
            '&.Mui-focusVisible': focusRing,
            '&.Mui-disabled': { color: disabledText },
            '&.MuiButton-outlined.Mui-disabled': { borderColor: disabledBorder },
          },
        },
      },
      MuiIconButton: { styleOverrides: { root: { '&.Mui-focusVisible': focusRing } } },
      MuiListItemButton: {
        styleOverrides: {
          root: {
            '&.Mui-focusVisible': { ...focusRing, outlineOffset: -3, backgroundColor: alpha(primary, 0.12) },
          },
        },
      },
      MuiChip: { styleOverrides: { root: { '&.Mui-focusVisible': focusRing } } },
      MuiCard: { defaultProps: { variant: 'outlined' } },
      // Solid tooltips: MUI's see-through grey lets the page show through and fails contrast in the dark theme.
      MuiTooltip: {
        styleOverrides: {
          tooltip: { backgroundColor: dark ? '#e3e6ec' : '#2b2f36', color: dark ? '#121418' : '#ffffff' },
          arrow: { color: dark ? '#e3e6ec' : '#2b2f36' },
        },
      },
      MuiTextField: { defaultProps: { size: 'small', fullWidth: true } },
      MuiSelect: { defaultProps: { size: 'small' } },
    },
  });
}

/** Monospace for logs and identifiers. */
export const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';
