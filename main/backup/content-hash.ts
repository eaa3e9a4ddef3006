// The content checksum of a table: a hash of its COPY text and its row count (one line per row in COPY text).
// Sets written by this console use xxh64 ("xxh64:<hex>"): a checksum against accidental change, about four times
// cheaper than sha256 over the uncompressed text, while each file's sha256 stays the check against damage or
// replacement. Sets from earlier consoles hold a bare sha256, and are checked with sha256.
import crypto from 'node:crypto';
import xxhash from 'xxhash-wasm';

export type ContentAlgorithm = 'xxh64' | 'sha256';

/** What this console writes. */
export const CONTENT_ALGORITHM: ContentAlgorithm = 'xxh64';

const XXH64_PREFIX = 'xxh64:';

/** The algorithm a recorded checksum was taken with. */
export function contentAlgorithmOf(checksum: string | undefined): ContentAlgorithm {
  if (checksum === undefined) return CONTENT_ALGORITHM;
  return checksum.startsWith(XXH64_PREFIX) ? 'xxh64' : 'sha256';
}

/** The algorithm of a database's table checksums in a manifest (all its tables share one). */
export function setContentAlgorithm(db: { tables: Array<{ checksum: string }> }): ContentAlgorithm {
  return contentAlgorithmOf(db.tables[0]?.checksum);
}

interface Hash {
  update(bytes: Uint8Array): void;
  hex(): string;
}

let wasm: ReturnType<typeof xxhash> | undefined;

async function startHash(algorithm: ContentAlgorithm): Promise<Hash> {
  if (algorithm === 'sha256') {
    const h = crypto.createHash('sha256');
    return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
  }
  wasm ??= xxhash();
  const h = (await wasm).create64(0n);
  return {
    update: (b) => void h.update(b),
    hex: () => `${XXH64_PREFIX}${h.digest().toString(16).padStart(16, '0')}`,
  };
}

const HOLD = 16;
const TRAILER = /\\\.\n+$/;

export class ContentHasher {
  private rows = 0;
  private held: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly hash: Hash,
    private readonly archiveData: boolean,
  ) {}

  /** archiveData: the bytes come from a pg_dump data file, whose end-of-data marker is not content. */
  static async create(archiveData: boolean, algorithm: ContentAlgorithm = CONTENT_ALGORITHM) {
    return new ContentHasher(await startHash(algorithm), archiveData);
  }

  update(chunk: Buffer): void {
    if (!this.archiveData) return this.feed(chunk);
    if (chunk.length >= HOLD) {
      this.feed(this.held);
      this.feed(chunk.subarray(0, chunk.length - HOLD));
      this.held = Buffer.from(chunk.subarray(chunk.length - HOLD));
      return;
    }
    const all = Buffer.concat([this.held, chunk]);
    const excess = Math.max(0, all.length - HOLD);
    this.feed(all.subarray(0, excess));
    this.held = Buffer.from(all.subarray(excess));
  }

  private feed(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.hash.update(bytes);
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) this.rows++;
  }

  digest(): { rows: number; checksum: string } {
    if (this.archiveData) {
      const tail = this.held.toString('latin1');
      const match = TRAILER.exec(tail);
      this.feed(match ? Buffer.from(tail.slice(0, match.index), 'latin1') : this.held);
    }
    return { rows: this.rows, checksum: this.hash.hex() };
  }
}
