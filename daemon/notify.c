/* sd_notify: readiness, status, reload, stop and the watchdog. */

#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "xmalloc.h"
#include "notify.h"

static void	notify_send(const char *);
static void	notify_watchdog_cb(evutil_socket_t, short, void *);

static struct event	*notify_watchdog;

/* Send one notification; failures are logged, never fatal. */
static void
notify_send(const char *state)
{
#ifdef HAVE_SYSTEMD
	int	r;

	if ((r = sd_notify(0, state)) < 0)
		log_debug("sd_notify: %s", strerror(-r));
#else
	(void)state;
#endif
}

/* The loop is alive: tell the watchdog. */
static void
notify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	notify_send("WATCHDOG=1");
}

void
notify_watchdog_start(struct event_base *base)
{
#ifdef HAVE_SYSTEMD
	struct timeval	tv;
	uint64_t	usec;

	if (notify_watchdog != NULL || sd_watchdog_enabled(0, &usec) <= 0)
		return;
	usec /= 2;
	tv.tv_sec = usec / 1000000;
	tv.tv_usec = usec % 1000000;
	notify_watchdog = event_new(base, -1, EV_PERSIST, notify_watchdog_cb,
	    NULL);
	event_add(notify_watchdog, &tv);
	notify_send("WATCHDOG=1");
	log_debug("watchdog: every %lld ms", (long long)(usec / 1000));
#else
	(void)base;
#endif
}

void
notify_watchdog_stop(void)
{
	if (notify_watchdog != NULL) {
		event_free(notify_watchdog);
		notify_watchdog = NULL;
	}
}

void
notify_ready(void)
{
	notify_send("READY=1");
}

void
notify_reloading(void)
{
	notify_send("RELOADING=1");
}

void
notify_stopping(void)
{
	notify_send("STOPPING=1");
}

void
notify_status(const char *fmt, ...)
{
	va_list	 ap;
	char	*s, *line;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	xasprintf(&line, "STATUS=%s", s);
	notify_send(line);
	free(line);
	free(s);
}
