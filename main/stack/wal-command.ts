// The archive command both providers give PostgreSQL: a segment counts only once it is complete and synced.
// One shell line, so the Docker provider can pass it as a server option without a file in the container.

/** `$1` = the segment's path (%p), `$2` = its place in the archive; copy, fsync, rename, fsync the folder. */
export const ARCHIVE_SCRIPT =
  'set -e; src="$1"; dest="$2"; ' +
  // Archiving the same segment twice (a retry after a crash) is fine; a different one under its name is not.
  'if [ -f "$dest" ]; then cmp -s "$src" "$dest" && exit 0; ' +
  'echo "archive: $dest already exists with other content" >&2; exit 1; fi; ' +
  'cp "$src" "$dest.part"; sync "$dest.part"; mv "$dest.part" "$dest"; sync "$(dirname "$dest")"';

/** The server options for continuous archiving into `archiveDir` (as the server sees that folder). */
export function archiveOptions(
  archiveDir: string,
  segmentTimeoutS: number,
  command: (dest: string) => string,
): Array<[string, string]> {
  return [
    ['archive_mode', 'on'],
    ['archive_command', command(`${archiveDir}/%f`)],
    ['archive_timeout', String(segmentTimeoutS)],
  ];
}
