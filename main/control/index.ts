export { startControlSocket, type ControlSocket } from './server';
export {
  findRunningConsole,
  forwardToRunningConsole,
  probeControlSocket,
  type RunningConsole,
} from './client';
export { controlSocketPath } from './socket-path';
