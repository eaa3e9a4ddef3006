// The Temporal Web UI from the console: links for the stack in force (webUi.links). The desktop shell adds
// webUi.open (system browser, allow-listed); browser mode opens a tab itself.
import type { ConsoleContext } from '../context';
import type { StackSpec } from '../stack';
import { webUiLinks } from './links';

export { isAllowedWebUiUrl, temporalCliCommand, webUiLinks } from './links';

export function registerWebUi(ctx: ConsoleContext, spec: () => StackSpec): { name: string } {
  ctx.router.register({
    'webUi.links': (input) =>
      webUiLinks(
        {
          spec: spec(),
          embeddedUiPort: ctx.settings.get().stack.ports.temporalUi,
          profileWebUiUrl: ctx.profiles.active()?.temporal?.webUiUrl,
        },
        input,
      ),
  });
  return { name: 'web-ui' };
}
