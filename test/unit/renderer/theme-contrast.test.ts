// The status colours used as text (a warn or error log line, a retried phase) read at 4.5:1 or better on every
// surface they are drawn on, in both themes: the page, paper, and the log panel's tinted background.
import { describe, expect, it } from 'vitest';
import { decomposeColor, getContrastRatio, recomposeColor } from '@mui/material/styles';
import { buildTheme } from '../../../renderer/src/theme';

/** A translucent colour laid over an opaque one, as the browser draws it. */
function over(base: string, overlay: string): string {
  const b = decomposeColor(base).values;
  const o = decomposeColor(overlay).values;
  const a = o[3] ?? 1;
  return recomposeColor({
    type: 'rgb',
    values: [0, 1, 2].map((i) => Math.round(o[i]! * a + b[i]! * (1 - a))) as [number, number, number],
  });
}

describe("the theme's status text colours", () => {
  for (const mode of ['light', 'dark'] as const) {
    it(`read on every surface in the ${mode} theme`, () => {
      const { palette } = buildTheme(mode);
      // The log panel: action.hover over paper.
      const logPanel = over(palette.background.paper, palette.action.hover);
      const surfaces = [palette.background.default, palette.background.paper, logPanel];
      for (const colour of [palette.warning.main, palette.error.main, palette.text.primary])
        for (const surface of surfaces)
          expect({ colour, surface, ratio: getContrastRatio(colour, surface) }).toMatchObject({
            ratio: expect.toSatisfy((r: number) => r >= 4.5),
          });
    });
  }
});
