// Runs in every test file: the scratch homes the file made go when it ends (after its own afterAll hooks).
import { afterAll } from 'vitest';
import { removeScratchHomes } from './support/console-process';

afterAll(() => removeScratchHomes());
