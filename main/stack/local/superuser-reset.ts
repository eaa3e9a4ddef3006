// The cluster's own superuser route: whoever owns a stopped cluster's data folder can start it in single-user
// mode, where no password is asked, and set the console's role a new password. The data is untouched.
import { spawn } from 'node:child_process';
import { OpsError } from '../../api';
import type { RunAs } from './run-as';

export async function setPasswordSingleUser(options: {
  postgres: string;
  dataDir: string;
  runAs: RunAs | undefined;
  role: string;
  password: string;
}): Promise<void> {
  // Generated passwords are base64url; anything else could not be quoted safely here.
  if (!/^[A-Za-z0-9_-]+$/.test(options.password) || !/^[a-z_][a-z0-9_]*$/.test(options.role))
    throw new OpsError(
      'INVALID_INPUT',
      'The new password or role has characters this route cannot take.',
      'Use a generated password.',
    );
  const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const child = spawn(options.postgres, ['--single', '-D', options.dataDir, 'postgres'], {
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
      uid: options.runAs?.uid,
      gid: options.runAs?.gid,
      cwd: '/',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text }));
    child.stdin.end(`ALTER ROLE "${options.role}" WITH PASSWORD '${options.password}'\n`);
  });
  if (output.code !== 0 || /ERROR|FATAL/.test(output.text))
    throw new OpsError(
      'STACK_FAILED',
      `Setting the new password through the cluster's superuser route failed: ${output.text.trim().slice(-500)}`,
      'Check that the cluster is stopped and its folder is intact, then try again.',
    );
}
