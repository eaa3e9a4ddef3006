// @vitest-environment happy-dom
// A page that throws while drawing is replaced by its own failure notice, and the rest of the window stays drawn.
// Rendered by React into happy-dom (a DOM written for tests), not Chromium: the e2e tests cover the real browser.
import { act, createElement, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PageBoundary } from '../../../renderer/src/components/PageBoundary';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let fail = true;
function Recovery(): ReactNode {
  if (fail) throw new Error(`Cannot read properties of null (reading 'toLocaleString')`);
  return createElement('p', { 'data-testid': 'recovered' }, 'Point-in-time recovery');
}

afterEach(() => {
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

describe('a page that fails while drawing', () => {
  it('names the page and the error in its place, keeps the rest, and draws the page again on request', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    await act(async () =>
      root.render(
        createElement(
          'div',
          null,
          createElement('nav', null, 'Stack Workflows Recovery'),
          createElement(PageBoundary, { page: 'Recovery' }, createElement(Recovery)),
        ),
      ),
    );
    const notice = host.querySelector('[data-testid=page-failure]');
    expect(notice?.textContent).toContain('The Recovery page could not be drawn');
    expect(notice?.textContent).toContain(`reading 'toLocaleString'`);
    expect(host.querySelector('nav')?.textContent).toBe('Stack Workflows Recovery');

    fail = false;
    const again = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Show the page again');
    expect(again).toBeDefined();
    await act(async () => again!.click());
    expect(host.querySelector('[data-testid=page-failure]')).toBeNull();
    expect(host.querySelector('[data-testid=recovered]')?.textContent).toBe('Point-in-time recovery');
    await act(async () => root.unmount());
  });
});
