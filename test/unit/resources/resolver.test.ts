import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resourceLayout, shippedResources } from '../../../main/resources';

describe('the resources resolver', () => {
  it('reads from the source tree when not packaged', () => {
    const shipped = shippedResources({});
    expect(shipped.layout.packaged).toBe(false);
    expect(shipped.workerEntry).toBe(path.join(process.cwd(), 'dist', 'worker', 'index.mjs'));
    expect(shipped.dataThread).toBe(path.join(process.cwd(), 'dist', 'backup', 'data-thread.mjs'));
    expect(shipped.binDir).toBe(path.join(process.cwd(), '.ops', 'bin'));
    expect(shipped.migrationsDirs).toContain(path.join(process.cwd(), 'main', 'db', 'migrations'));
    expect(shipped.iconsDir).toBe(path.join(process.cwd(), 'resources', 'icons'));
  });

  it('reads from resources/, app.asar and app.asar.unpacked in a package', () => {
    const shipped = shippedResources({ OPS_RESOURCES_PATH: '/opt/Ops Console/resources' });
    expect(shipped.layout).toEqual(resourceLayout({ OPS_RESOURCES_PATH: '/opt/Ops Console/resources' }));
    expect(shipped.workerEntry).toBe('/opt/Ops Console/resources/app.asar.unpacked/dist/worker/index.mjs');
    expect(shipped.dataThread).toBe(
      '/opt/Ops Console/resources/app.asar.unpacked/dist/backup/data-thread.mjs',
    );
    expect(shipped.migrationsDirs).toEqual(['/opt/Ops Console/resources/app.asar.unpacked/dist/migrations']);
    expect(shipped.rendererDir).toBe('/opt/Ops Console/resources/app.asar/dist/renderer');
    expect(shipped.preload).toBe('/opt/Ops Console/resources/app.asar/dist/preload/index.cjs');
    expect(shipped.binDir).toBe('/opt/Ops Console/resources/bin');
    expect(shipped.schemaDir).toBe('/opt/Ops Console/resources/schema');
    expect(shipped.iconsDir).toBe('/opt/Ops Console/resources/icons');
  });
});
