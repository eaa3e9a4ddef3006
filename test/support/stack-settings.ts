import { freePort } from './ports';

/** Settings for a stack on free ports (tests never use the default ports). */
export async function freeStackSettings(extra: { enableUi?: boolean } = {}) {
  return {
    stack: {
      ports: {
        appPostgres: await freePort(),
        temporalPostgres: await freePort(),
        temporal: await freePort(),
        temporalUi: await freePort(),
      },
      enableUi: extra.enableUi ?? false,
    },
  };
}
