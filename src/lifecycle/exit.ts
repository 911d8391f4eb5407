/**
 * How `vmlet run` ends once main() has settled, whether it returned an exit code or threw.
 *
 * A start-up failure must end the process: under systemd (Type=notify) an agent that stays up
 * after its error, still "starting", keeps systemd waiting for TimeoutStartSec instead of
 * restarting it. main() stops what it started (the runtime's ordered stop, hurried on failure),
 * but a phase that fails while being wired leaves handles nobody owns yet (the status server's
 * socket, a timer): they must not keep the process alive. The exit runs on the next turn of the
 * event loop, after the caller's promise chain (cli/dispatch.ts) has printed the error and set
 * process.exitCode; stdout and stderr are synchronous on Linux pipes and files, so no line is lost.
 */

/** Ends the process with process.exitCode on the next turn of the event loop. */
export function exitOnNextTurn(exit: () => void = () => process.exit()): void {
  setImmediate(exit);
}

/**
 * The last log line's text for a component failure: `<component>: <message> [<code>]`, so the
 * operator reads cause and fix (every VmletError message ends in the next step) without the stack.
 */
export function failureLine(err: unknown): string {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const text = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && code.startsWith('VMLET_') ? `${text} [${code}]` : text;
}
