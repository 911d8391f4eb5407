/** `general.logFormat: auto` means pretty for a person at a terminal and JSON for journald. */
export function resolveLogFormat(format: 'auto' | 'json' | 'pretty', stdoutIsTTY: boolean): 'json' | 'pretty' {
  if (format === 'auto') return stdoutIsTTY ? 'pretty' : 'json';
  return format;
}
