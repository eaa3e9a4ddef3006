export { AttachedProvider, refusedOnAttached } from './provider';
