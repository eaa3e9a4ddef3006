import { create } from 'zustand';
import { ops, type ConnectionState } from '../ops/client';

interface ConnectionStore {
  state: ConnectionState;
  /** When the connection last dropped; shown as staleness while reconnecting. */
  since: number;
}

export const useConnection = create<ConnectionStore>(() => ({ state: ops.state, since: Date.now() }));

ops.onState((state) => useConnection.setState({ state, since: Date.now() }));
