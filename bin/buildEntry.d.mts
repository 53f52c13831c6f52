// Types of buildEntry.mjs for the TypeScript that imports it (its test, the flow-1 bench).
export declare const BUILD_STAMP: string;
export declare function chooseEntry(
  root: string,
  env?: NodeJS.ProcessEnv,
): { entry: 'dist'; main: string } | { entry: 'sources'; main: string; why: string; stale: boolean };
