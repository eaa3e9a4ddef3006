// Tests always use free ports: the back end's own helper, so there is one way to find one.
export { anyFreePort as freePort } from '../../main/stack/ports';
