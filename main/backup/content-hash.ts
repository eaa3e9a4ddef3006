// The content checksum of a table: sha256 of its COPY text and its row count (one line per row in COPY text).
import crypto from 'node:crypto';

const HOLD = 16;
const TRAILER = /\\\.\n+$/;

export class ContentHasher {
  private readonly hash = crypto.createHash('sha256');
  private rows = 0;
  private held: Buffer = Buffer.alloc(0);

  /** archiveData: the bytes come from a pg_dump data file, whose end-of-data marker is not content. */
  constructor(private readonly archiveData: boolean) {}

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
    return { rows: this.rows, checksum: this.hash.digest('hex') };
  }
}
