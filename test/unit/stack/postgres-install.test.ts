import { describe, expect, it } from 'vitest';
import { postgresInstallHint, postgresSearchDirs, programName } from '../../../main/stack/postgres-install';

describe('where PostgreSQL is looked for', () => {
  it('looks in Debian and Ubuntu folders on Linux', () => {
    expect(postgresSearchDirs('linux')).toEqual(
      expect.arrayContaining(['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin']),
    );
  });

  it("looks in Homebrew's and Postgres.app's folders on macOS", () => {
    const dirs = postgresSearchDirs('darwin');
    expect(dirs).toEqual(
      expect.arrayContaining([
        '/opt/homebrew/opt/postgresql@16/bin',
        '/usr/local/opt/postgresql@15/bin',
        '/Applications/Postgres.app/Contents/Versions/latest/bin',
      ]),
    );
  });

  it("looks in the EDB installer's folders on Windows, with .exe programs", () => {
    const dirs = postgresSearchDirs('win32', { ProgramFiles: 'D:\\Apps' });
    expect(dirs).toContain('D:\\Apps\\PostgreSQL\\16\\bin');
    expect(dirs).toContain('C:\\Program Files\\PostgreSQL\\15\\bin');
    expect(programName('initdb', 'win32')).toBe('initdb.exe');
  });

  it('names what to install on each OS and offers the Docker provider', () => {
    expect(postgresInstallHint('linux')).toMatch(/apt-get install postgresql/);
    expect(postgresInstallHint('darwin')).toMatch(/brew install postgresql@16.*Postgres\.app/);
    expect(postgresInstallHint('win32')).toMatch(/EDB installer/);
    for (const os of ['linux', 'darwin', 'win32'] as const)
      expect(postgresInstallHint(os)).toMatch(/Docker provider/);
  });
});
