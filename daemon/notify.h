/*
 * Telling systemd how the daemon is doing (sd_notify): READY=1 once the
 * store is open and the listener bound, STATUS= lines, RELOADING=1 and
 * STOPPING=1, and WATCHDOG=1 from the event loop. Without libsystemd (or
 * when not started by systemd) every call does nothing.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

struct event_base;

/*
 * Start sending WATCHDOG=1 from the loop at half the interval systemd
 * asks for (WatchdogSec=); nothing if it asks for none. Call once.
 */
void	notify_watchdog_start(struct event_base *);
void	notify_watchdog_stop(void);

void	notify_ready(void);
void	notify_reloading(void);
void	notify_stopping(void);
/* A STATUS= line: one short sentence for `systemctl status`. */
void	notify_status(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
