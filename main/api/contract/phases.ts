// The phases now live in shared/ (the worker and the back end both import them); this re-export keeps the old path
// until the files that still use it move over.
export * from '../../../shared/phases';
