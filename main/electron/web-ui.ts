// Opens the Temporal Web UI in the system browser, only at the addresses the console knows: the embedded UI's
// loopback address and the attached profile's configured UI. The window itself never navigates away.
import { shell } from 'electron';
import type { Router } from '../api';
import { OpsError } from '../api';
import { isAllowedWebUiUrl } from '../web-ui';

export function registerWebUiOpener(router: Router): void {
  router.register({
    'webUi.open': async ({ url }) => {
      const { allowedOrigins } = await router.invoke('webUi.links', {});
      if (!isAllowedWebUiUrl(url, allowedOrigins)) {
        throw new OpsError(
          'UNAUTHORIZED',
          `Refused to open ${url}: it is not the Temporal Web UI's address.`,
          `The console opens only ${allowedOrigins.join(', ')}.`,
        );
      }
      await shell.openExternal(url);
      return { opened: true as const };
    },
  });
}
