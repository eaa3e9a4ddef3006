// The logs.* operations: the files there are and pages of one, read from disk (never the in-memory ring).
import fs from 'node:fs';
import { OpsError } from '../api';
import type { Router } from '../api';
import type { LogPage, Settings } from '../api';
import type { LogFiles } from './files';
import { readAfter, readBefore } from './reader';
import { partPath, type RotationPolicy } from './rotating-file';

export function rotationOf(settings: Settings): RotationPolicy {
  return { maxBytes: settings.logs.maxFileMb * 1024 * 1024, keep: settings.logs.keepFiles };
}

export function registerLogOperations(router: Router, files: LogFiles): void {
  router.register({
    'logs.files': () => files.list(),
    'logs.read': (input): LogPage => {
      files.flush();
      const file = partPath(files.fileOf(input.name), input.part);
      if (!fs.existsSync(file)) {
        const known = files.list().map((f) => f.name);
        throw new OpsError(
          'NOT_FOUND',
          input.part
            ? `There is no rotated part ${input.part} of the ${input.name} log.`
            : `There is no log named "${input.name}" in ${files.dir}.`,
          known.length
            ? `Logs there are: ${known.join(', ')}.`
            : 'A service writes its log once it has run with this console.',
        );
      }
      const filter = {
        levels: input.levels,
        text: input.text || undefined,
        since: input.since ? Date.parse(input.since) : undefined,
      };
      const page =
        input.after !== undefined
          ? readAfter(file, { ...filter, after: input.after, limit: input.limit })
          : readBefore(file, {
              ...filter,
              before: input.before,
              limit: input.limit,
              maxScanBytes: input.maxScanMb * 1024 * 1024,
            });
      return { name: input.name, part: input.part, ...page };
    },
  });
}
