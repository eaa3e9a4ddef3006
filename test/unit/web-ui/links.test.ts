import { describe, expect, it } from 'vitest';
import { isAllowedWebUiUrl, webUiLinks } from '../../../main/web-ui';

const embedded = {
  provider: 'local' as const,
  temporal: { host: '127.0.0.1', port: 7233, namespace: 'default', retentionHours: 72 },
  temporalUi: { enabled: true, port: 8088 },
};

describe('Temporal Web UI links', () => {
  it("points at the embedded UI's page for a workflow and its run, and gives the temporal CLI command", () => {
    const links = webUiLinks(
      { spec: embedded, embeddedUiPort: 8088 },
      { workflowId: 'test-cycle-1', runId: 'r-1' },
    );
    expect(links).toMatchObject({
      available: true,
      baseUrl: 'http://127.0.0.1:8088',
      workflowsUrl: 'http://127.0.0.1:8088/namespaces/default/workflows',
      workflowUrl: 'http://127.0.0.1:8088/namespaces/default/workflows/test-cycle-1/r-1/history',
      cliCommand:
        'temporal workflow describe --address 127.0.0.1:7233 --namespace default --workflow-id test-cycle-1 --run-id r-1',
    });
  });

  it('says how to turn the UI on when it is off, and still gives the CLI command', () => {
    const links = webUiLinks(
      { spec: { ...embedded, temporalUi: { enabled: false, port: 8088 } }, embeddedUiPort: 8088 },
      { workflowId: "it's" },
    );
    expect(links.available).toBe(false);
    expect(links.reason).toMatch(/Run the Temporal Web UI/);
    expect(links.cliCommand).toContain("--workflow-id 'it'\\''s'");
  });

  it("uses an attached profile's configured UI, with TLS in the CLI command", () => {
    const spec = {
      provider: 'attached' as const,
      temporal: { ...embedded.temporal, host: 'temporal.prod', tls: { serverName: 'tp' } },
      temporalUi: { enabled: false, port: 8088 },
    };
    const links = webUiLinks(
      { spec, embeddedUiPort: 8088, profileWebUiUrl: 'https://ui.prod.example/' },
      { workflowId: 'w' },
    );
    expect(links.workflowUrl).toBe('https://ui.prod.example/namespaces/default/workflows/w');
    expect(links.cliCommand).toContain('--tls --tls-server-name tp');
    expect(links.allowedOrigins).toContain('https://ui.prod.example');
    expect(webUiLinks({ spec, embeddedUiPort: 8088 }).reason).toMatch(/names no Temporal Web UI address/);
  });

  it('allows only http(s) pages of the allowed origins', () => {
    const allowed = ['http://127.0.0.1:8088', 'https://ui.prod.example'];
    expect(isAllowedWebUiUrl('http://127.0.0.1:8088/namespaces/default/workflows', allowed)).toBe(true);
    expect(isAllowedWebUiUrl('https://ui.prod.example/x', allowed)).toBe(true);
    for (const url of [
      'http://127.0.0.1:8089/',
      'https://evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://user:pw@127.0.0.1:8088/',
      'not a url',
    ])
      expect(isAllowedWebUiUrl(url, allowed), url).toBe(false);
  });
});
