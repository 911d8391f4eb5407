/**
 * systemd notification (sd_notify): READY=1 once every readiness gate has passed, STATUS= as
 * the one-line status changes, WATCHDOG=1 every WATCHDOG_USEC/2 while live (not while the event
 * loop is stuck), STOPPING=1, RELOADING=1 + MONOTONIC_USEC. A no-op without NOTIFY_SOCKET.
 *
 * Owns: the Notifier interface and its one transport (the systemd-notify program, see
 * docs/systemd.md), the watchdog component and the reporter that follows the status center.
 * Must not touch: readiness decisions (the gates decide), NOTIFY_SOCKET for children (capabilities
 * that spawn processes must not pass it on).
 */
export { createNotifier, noopNotifier, SdNotifier, monotonicUsec, statusField, type Notifier } from './notifier.js';
export { SystemdNotifyTransport, findSystemdNotify, type NotifyTransport } from './transport.js';
export { Watchdog, watchdogSettings, shouldPing, type WatchdogSettings } from './watchdog.js';
export { SystemdReporter } from './reporter.js';
export { SDNOTIFY_ERRORS } from './errors.js';
