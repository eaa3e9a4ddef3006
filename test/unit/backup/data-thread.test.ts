// The backup data thread from its built bundle (dist/backup/data-thread.mjs): a backup's follow agrees with
// ContentHasher and the sha256 of the file on disk. (A restore's copy needs a server: backup-restore.test.ts.)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentHasher } from '../../../main/backup/content-hash';
import { dumpGzip } from '../../../main/backup/dump';
import { FollowPool } from '../../../main/backup/follow-worker';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-data-thread-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** COPY text of `rows` rows, as pg_dump writes it into a data file (with its end-of-data marker). */
function copyText(rows: number, from = 0): string {
  let text = '';
  for (let i = from; i < from + rows; i++)
    text += `${i}\t${crypto.createHash('md5').update(String(i)).digest('hex')}\n`;
  return text;
}
const TRAILER = '\\.\n\n';

async function expected(content: string) {
  const h = await ContentHasher.create(false);
  h.update(Buffer.from(content));
  return h.digest();
}

// zlib's gzip, and ISA-L's igzip (installed by provisioning: Debian's isal package).
const ZLIB = { ...dumpGzip(), program: undefined };
const IGZIP = dumpGzip();

describe('the backup data thread', () => {
  it('finds igzip on this machine (provisioning installs it)', () => {
    expect(IGZIP.program, 'install isal: bash resources/provision.sh').toMatch(/igzip$/);
  });

  // zlib: over two compression blocks, the file is several gzip members (the first holding exactly one 4 MiB
  // block), which read back as one. igzip: one stream, its first member the whole file.
  it.each([
    ['zlib', ZLIB, '3001', 4 << 20],
    ['igzip', IGZIP, '3002', undefined],
  ] as const)(
    'follows a data file while it grows (%s): content checksum, gzip and sha256 of what it wrote',
    async (_label, gzip, id, firstMember) => {
      const src = path.join(dir, `${id}.dat`);
      const first = copyText(140_000);
      const second = copyText(100_000, 140_000);
      const whole = first + second + TRAILER;
      fs.writeFileSync(src, first);
      const pool = new FollowPool(2);
      let bytes = 0;
      try {
        const followed = pool.follow(src, `${src}.gz`, gzip, (n) => (bytes += n));
        // pg_dump goes on writing after the follower started; the close comes last.
        await new Promise((r) => setTimeout(r, 50));
        fs.appendFileSync(src, second + TRAILER);
        followed.finished();
        const r = await followed.done;
        const written = fs.readFileSync(`${src}.gz`);
        expect(zlib.gunzipSync(written).toString()).toBe(whole);
        // The first member's length (the 10-byte gzip header skipped).
        expect(zlib.inflateRawSync(written.subarray(10)).length).toBe(
          firstMember ?? Buffer.byteLength(whole),
        );
        expect(r.sha256).toBe(crypto.createHash('sha256').update(written).digest('hex'));
        expect(r.size).toBe(written.length);
        expect({ rows: r.rows, checksum: r.checksum }).toEqual(await expected(first + second));
        expect(r.rows).toBe(240_000);
        expect(bytes).toBe(Buffer.byteLength(whole));
      } finally {
        await pool.close();
      }
    },
  );

  it('gives an empty table a valid, empty gzip file through igzip', async () => {
    const src = path.join(dir, '3004.dat');
    fs.writeFileSync(src, TRAILER);
    const pool = new FollowPool(1);
    try {
      const followed = pool.follow(src, `${src}.gz`, IGZIP, () => undefined);
      followed.finished();
      const r = await followed.done;
      expect(zlib.gunzipSync(fs.readFileSync(`${src}.gz`)).toString()).toBe(TRAILER);
      expect(r.rows).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('fails the file, naming the program and its exit, when the compressor fails', async () => {
    const src = path.join(dir, '3005.dat');
    fs.writeFileSync(src, copyText(1000) + TRAILER);
    const pool = new FollowPool(1);
    try {
      // `false` stands in for a compressor that dies: it reads nothing and exits 1.
      const followed = pool.follow(
        src,
        `${src}.gz.tmp`,
        { ...IGZIP, program: '/bin/false' },
        () => undefined,
      );
      followed.finished();
      await expect(followed.done).rejects.toThrow(/\/bin\/false failed \(exit code 1\)/);
      const missing = pool.follow(
        src,
        `${src}.gz.tmp`,
        { ...IGZIP, program: path.join(dir, 'no-such-gzip') },
        () => undefined,
      );
      missing.finished();
      await expect(missing.done).rejects.toThrow(/no-such-gzip could not run/);
    } finally {
      await pool.close();
    }
  });

  it('stops every follower on abort', async () => {
    const src = path.join(dir, '3003.dat');
    fs.writeFileSync(src, copyText(1000));
    const pool = new FollowPool(1);
    try {
      const followed = pool.follow(src, `${src}.gz.tmp`, IGZIP, () => undefined);
      pool.abort();
      await expect(followed.done).rejects.toThrow(/cancelled/);
    } finally {
      await pool.close();
    }
  });
});
