// The LLM API key lives in the secret store (a 0600 file headless), never in settings.json, and reaches the worker.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConsole, workerConfig } from '../../../main/console';
import { scratchHome } from '../../support/console-process';

describe('worker.setLlmApiKey', () => {
  it('keeps the key out of the settings file and hands it to the worker config', async () => {
    const home = scratchHome();
    const ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
    try {
      const r = await ops.router.invoke('worker.setLlmApiKey', { apiKey: 'sk-test-123' });
      expect(r).toEqual({ stored: true, store: 'file-0600' });
      await ops.router.invoke('settings.update', { worker: { llmBaseUrl: 'http://127.0.0.1:9/v1' } });
      expect(fs.readFileSync(path.join(home, 'settings.json'), 'utf8')).not.toContain('sk-test-123');
      const secrets = path.join(home, 'secrets.json');
      expect(fs.statSync(secrets).mode & 0o777).toBe(0o600);
      expect(workerConfig(ops, ops.stack.spec()).llm).toEqual({
        baseUrl: 'http://127.0.0.1:9/v1',
        model: '',
        apiKey: 'sk-test-123',
      });
      await ops.router.invoke('worker.setLlmApiKey', { apiKey: '' });
      expect(workerConfig(ops, ops.stack.spec()).llm.apiKey).toBe('');
    } finally {
      await ops.shutdown();
    }
  });
});
