/** Types for ensure-tools.mjs (the package tests import it). */
export function hasCommand(cmd: string): boolean;
export function ensureTools(tools: Record<string, string>): void;
