// Moved to main/supervisor (the worker process itself is the top-level worker/); kept until its last user moves.
export * from '../supervisor';
