/*
 * feedmux: the command-line client. It reads the store directly (so it
 * works while the daemon is stopped) and asks a running daemon for polls
 * over its control socket. Everything a feed controls is cleaned of
 * terminal controls before it is printed (HOSTILE-58); nothing is ever
 * handed to a shell (HOSTILE-59).
 */

#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "conf.h"
#include "date.h"
#include "entry.h"
#include "filter.h"
#include "html.h"
#include "log.h"
#include "parse.h"
#include "sched.h"
#include "server.h"
#include "site.h"
#include "store.h"
#include "url.h"
#include "xmalloc.h"

/* Exit statuses: DESIGN.md, "CLI". */
#define EXIT_OK		0
#define EXIT_USER	1	/* missing file, unknown id, no daemon, ... */
#define EXIT_USAGE	2	/* unknown verb or option, bad number */

#define LIMIT_DEFAULT	50
#define LIMIT_MAX	1000000000LL
#define PARSE_MAX	(64 * 1024 * 1024)	/* bytes read by parse */
#define FEED_ARG_MAX	4096	/* bytes of a FEED argument */
#define WRAP_DEFAULT	72	/* columns of show off a terminal */
#define WRAP_MIN	20
#define COL_MIN		8	/* a shrunk column keeps this many */
#define OPML_MAX	(16 * 1024 * 1024)	/* bytes of an OPML file */
#define OPML_DEPTH_MAX	32	/* outline nesting followed */

/* cli_clean flags. */
#define CLEAN_LINE	0x1	/* one line: breaks and tabs become spaces */

/* Table column flags. */
#define COL_RIGHT	0x1	/* right-aligned (numbers) */
#define COL_SHRINK	0x2	/* may be cut to fit the terminal */

/* Verb flags: the options a verb takes besides -c. */
#define VERB_JSON	0x1
#define VERB_LIMIT	0x2
#define VERB_FEEDOPTS	0x4	/* --label, --category, --interval */
#define VERB_FILTER	0x8	/* --feed, --category, --since */
#define VERB_OUT	0x10	/* --out, which it needs */
#define VERB_WAIT	0x20	/* --wait, --timeout */

/* refresh --wait: how often the store is looked at, the default bound. */
#define REFRESH_TICK_MS	200
#define REFRESH_TIMEOUT	(10 * 60 * 1000)

struct cli {
	const char	 *conf_path;
	int		  json;
	const char	 *limit;	/* the --limit argument, or NULL */
	const char	 *label;	/* --label, or NULL */
	const char	 *category;	/* --category, or NULL */
	const char	 *interval;	/* --interval, or NULL */
	const char	 *feed;		/* --feed, or NULL */
	const char	 *since;	/* --since, or NULL */
	const char	 *out;		/* --out, or NULL */
	int		  wait;		/* --wait */
	const char	 *timeout;	/* --timeout, or NULL */
	int		  help;
	int		  version;
	char		**args;		/* positional, verb first */
	int		  nargs;
	int		  termwidth;	/* 0: no terminal, never cut */
};

struct verb {
	const char	*name;
	int		 (*fn)(struct cli *);
	int		  minargs;	/* after the verb */
	int		  maxargs;
	int		  flags;
};

struct table {
	int		  ncols;
	const char	**headers;
	const int	 *flags;
	char		**cells;	/* nrows * ncols, cleaned */
	char		**notes;	/* a line under a row, or NULL */
	size_t		  nrows;
};

struct cli_opt;
static int	 cli_parse_args(struct cli *, int, char **);
static const struct cli_opt *cli_valued(const char *, const char **);
static int	 cli_usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static void	 cli_usage(void);
static void	 cli_vwarnx(const char *, va_list)
		    __attribute__((format(printf, 1, 0)));
static void	 cli_warnx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static int	 cli_finish(int);
static int	 cli_out_ok(void);
static void	 cli_write(const char *, size_t);
static void	 cli_puts(const char *);
static int	 cli_termwidth(void);
static int	 cli_number(const char *, int64_t, int64_t *);
static int	 cli_arg_ok(const char *);

static size_t	 utf8_len(const char *, uint32_t *);
static int	 cp_is_bidi(uint32_t);
static int	 cp_width(uint32_t);
static char	*cli_clean(const char *, int);
static int	 cli_width(const char *, size_t);
static void	 cli_fit(struct buf *, const char *, int, int, int);
static void	 cli_wrap_line(struct buf *, const char *, size_t, int);
static void	 cli_wrap(struct buf *, const char *, int);

static void	 table_init(struct table *, int, const char **, const int *);
static void	 table_add(struct table *, const char **, const char *);
static void	 table_print(struct table *, int);
static void	 table_free(struct table *);

static json_t	*cli_jstr(const char *);
static json_t	*cli_jtime(int64_t);
static void	 cli_jset(json_t *, const char *, json_t *);
static void	 cli_jappend(json_t *, json_t *);
static void	 cli_jprint(json_t *);
static char	*cli_time_short(int64_t, char *);
static const char *cli_time_or(int64_t, char *, const char *);

static int	 cli_conf(struct cli *, struct conf **);
static int	 cli_store(struct cli *, struct conf **, struct store **);
static char	*cli_feed_label(const struct store_feed *);
static char	*cli_source_label(const struct entry_source *);
static json_t	*cli_entry_json(const struct stored_entry *);
static int	 cli_read_file(const char *, char **, size_t *);

static int	 verb_feeds(struct cli *);
static int	 verb_entries(struct cli *);
static int	 verb_show(struct cli *);
static int	 verb_refresh(struct cli *);
static int	 cli_filter_opts(struct cli *, struct store_query *);
struct cli_wait;
static int	 cli_pollable(const struct store_feed *);
static int64_t	 cli_mono_ms(void);
static ssize_t	 cli_wait_look(struct store *, struct cli_wait *, size_t,
		     int64_t);
static char	*cli_wait_result(const struct cli_wait *);
static int	 cli_wait_failed(const struct cli_wait *);
static int64_t	 cli_wait_new(const struct cli_wait *);
static int	 verb_parse(struct cli *);
static int	 verb_check_config(struct cli *);
static int	 verb_help(struct cli *);
static int	 verb_add(struct cli *);
static int	 verb_remove(struct cli *);
static int	 verb_enable(struct cli *);
static int	 verb_disable(struct cli *);
static int	 verb_edit(struct cli *);
static int	 verb_search(struct cli *);
static int	 verb_stats(struct cli *);
static int	 verb_export(struct cli *);
static int	 verb_import(struct cli *);
static int	 verb_check(struct cli *);
static int	 verb_prune(struct cli *);
static int	 verb_remove_entry(struct cli *);
static int	 verb_explain(struct cli *);
static int	 verb_rules(struct cli *);
static void	 cli_rules_judge(const struct filter_rules *,
		     struct store_feed **, size_t, const struct stored_entry *,
		     const struct store_feed *, const char *,
		     struct filter_verdict *, const struct entry_source **,
		     const struct store_feed **);
static char	*cli_rules_why(const struct filter_verdict *, const char *,
		     const char *);
static int	 verb_publish(struct cli *);
static int	 cli_publish_cb(const char *, const char *, size_t, void *,
		     char **);
static int	 cli_publish_removed_cb(const char *, int, void *, char **);
struct cli_publish;
static void	 cli_publish_say(struct cli_publish *, const char *,
		     const char *);

static int	 cli_store_rw(const struct conf *, int, struct store **);
static int	 cli_find_feed(struct store *, const char *,
		    struct store_feed **);
static void	 cli_tell_daemon(const struct conf *, int64_t);
static int	 cli_feed_edit(struct cli *, const char *,
		    struct store_feed_edit *);
static int	 cli_since(const char *, int64_t *);
static void	 cli_entries_table(struct cli *, struct stored_entry **,
		    size_t);
static int	 cli_feed_switch(struct cli *, int);
static void	 opml_walk(xmlNode *, const char *, int, struct store *,
		    const struct conf *, size_t *, size_t *, size_t *,
		    size_t);
static char	*opml_attr(xmlNode *, const char *);
static size_t	 opml_count(xmlNode *, int);
static char	*cli_dur(int64_t, char *, size_t);
static void	 cli_when(struct buf *, int64_t, int64_t);
static void	 cli_explain_plan(struct buf *, const struct store_feed *);
static void	 cli_explain_ok(struct buf *, const struct store_feed *);
static void	 cli_explain_hints(struct buf *, const struct store_feed *);
static json_t	*cli_explain_json(const struct store_feed *, const char *,
		    int64_t);

static const struct verb verbs[] = {
	{ "feeds",		verb_feeds,		0, 0, VERB_JSON },
	{ "entries",		verb_entries,		0, 0,
	    VERB_JSON|VERB_LIMIT|VERB_FILTER },
	{ "search",		verb_search,		1, 1,
	    VERB_JSON|VERB_LIMIT },
	{ "add",		verb_add,		1, 1, VERB_FEEDOPTS },
	{ "remove",		verb_remove,		1, 1, 0 },
	{ "enable",		verb_enable,		1, 1, 0 },
	{ "disable",		verb_disable,		1, 1, 0 },
	{ "edit",		verb_edit,		1, 1, VERB_FEEDOPTS },
	{ "remove-entry",	verb_remove_entry,	1, 1, 0 },
	{ "stats",		verb_stats,		0, 0, VERB_JSON },
	{ "export",		verb_export,		0, 0, 0 },
	{ "publish",		verb_publish,		0, 0,
	    VERB_JSON|VERB_OUT },
	{ "import",		verb_import,		1, 1, 0 },
	{ "prune",		verb_prune,		0, 0, VERB_JSON },
	{ "check",		verb_check,		0, 0, VERB_JSON },
	{ "show",		verb_show,		1, 1, VERB_JSON },
	{ "refresh",		verb_refresh,		0, 1,
	    VERB_JSON|VERB_WAIT },
	{ "explain",		verb_explain,		1, 1, VERB_JSON },
	{ "rules",		verb_rules,		1, 1,
	    VERB_JSON|VERB_LIMIT|VERB_FILTER },
	{ "parse",		verb_parse,		1, 1, VERB_JSON },
	{ "check-config",	verb_check_config,	0, 0, 0 },
	{ "help",		verb_help,		0, 1, 0 }
};

static int	out_errno;	/* the first error writing to stdout */

int
main(int argc, char **argv)
{
	struct cli		 cli;
	const struct verb	*v = NULL;
	const char		*env;
	size_t			 i;
	int			 rc;

	/* A closed pipe is EPIPE from write, handled in cli_finish. */
	signal(SIGPIPE, SIG_IGN);
	log_open("feedmux", LOG_LEVEL_WARN);

	memset(&cli, 0, sizeof cli);
	cli.args = xcalloc(argc + 1, sizeof *cli.args);
	if ((rc = cli_parse_args(&cli, argc, argv)) != EXIT_OK)
		goto out;
	if (cli.help) {
		cli_usage();
		rc = cli_finish(EXIT_OK);
		goto out;
	}
	if (cli.version) {
		cli_puts("feedmux " PACKAGE_VERSION "\n");
		rc = cli_finish(EXIT_OK);
		goto out;
	}
	if (cli.nargs == 0) {
		rc = cli_usage_error("no verb given");
		goto out;
	}
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strcmp(cli.args[0], verbs[i].name) == 0) {
			v = &verbs[i];
			break;
		}
	}
	if (v == NULL) {
		rc = cli_usage_error("unknown verb: %.64s", cli.args[0]);
		goto out;
	}
	if (cli.nargs - 1 < v->minargs) {
		rc = cli_usage_error("%s: missing argument", v->name);
		goto out;
	}
	if (cli.nargs - 1 > v->maxargs) {
		rc = cli_usage_error("%s: unexpected argument: %.64s",
		    v->name, cli.args[v->maxargs + 1]);
		goto out;
	}
	if (cli.json && (v->flags & VERB_JSON) == 0) {
		rc = cli_usage_error("%s does not take --json", v->name);
		goto out;
	}
	if (cli.limit != NULL && (v->flags & VERB_LIMIT) == 0) {
		rc = cli_usage_error("%s does not take --limit", v->name);
		goto out;
	}
	if ((cli.label != NULL || cli.interval != NULL) &&
	    (v->flags & VERB_FEEDOPTS) == 0) {
		rc = cli_usage_error("%s does not take --%s", v->name,
		    cli.label != NULL ? "label" : "interval");
		goto out;
	}
	if ((cli.feed != NULL || cli.since != NULL) &&
	    (v->flags & VERB_FILTER) == 0) {
		rc = cli_usage_error("%s does not take --%s", v->name,
		    cli.feed != NULL ? "feed" : "since");
		goto out;
	}
	if ((cli.wait || cli.timeout != NULL) &&
	    (v->flags & VERB_WAIT) == 0) {
		rc = cli_usage_error("%s does not take --%s", v->name,
		    cli.wait ? "wait" : "timeout");
		goto out;
	}
	if (cli.out != NULL && (v->flags & VERB_OUT) == 0) {
		rc = cli_usage_error("%s does not take --out", v->name);
		goto out;
	}
	if (cli.out == NULL && (v->flags & VERB_OUT) != 0) {
		rc = cli_usage_error("%s needs --out DIR", v->name);
		goto out;
	}
	if (cli.category != NULL &&
	    (v->flags & (VERB_FEEDOPTS|VERB_FILTER)) == 0) {
		rc = cli_usage_error("%s does not take --category", v->name);
		goto out;
	}

	if (cli.conf_path == NULL) {
		env = getenv("FEEDMUX_CONFIG");
		if (env != NULL && *env != '\0')
			cli.conf_path = env;
		else
			cli.conf_path = CONF_DEFAULT_PATH;
	}
	cli.termwidth = cli_termwidth();
	rc = cli_finish(v->fn(&cli));
out:
	free(cli.args);
	return (rc);
}

/* The options that take a value (besides -c and --limit). */
struct cli_opt {
	const char	*name;
	size_t		 off;
};
static const struct cli_opt cli_opts[] = {
	{ "--label", offsetof(struct cli, label) },
	{ "--category", offsetof(struct cli, category) },
	{ "--interval", offsetof(struct cli, interval) },
	{ "--feed", offsetof(struct cli, feed) },
	{ "--since", offsetof(struct cli, since) },
	{ "--out", offsetof(struct cli, out) },
	{ "--timeout", offsetof(struct cli, timeout) }
};

/*
 * Is a an option of cli_opts, as "--name" (*val NULL: the value is the
 * next argument) or "--name=value"?
 */
static const struct cli_opt *
cli_valued(const char *a, const char **val)
{
	size_t	i, len;

	*val = NULL;
	for (i = 0; i < sizeof cli_opts / sizeof cli_opts[0]; i++) {
		len = strlen(cli_opts[i].name);
		if (strncmp(a, cli_opts[i].name, len) != 0)
			continue;
		if (a[len] == '\0')
			return (&cli_opts[i]);
		if (a[len] == '=') {
			*val = a + len + 1;
			return (&cli_opts[i]);
		}
	}
	return (NULL);
}

/*
 * Read the command line. Options may come before or after the verb;
 * "--" ends them. Returns EXIT_OK or EXIT_USAGE (the message printed).
 */
static int
cli_parse_args(struct cli *cli, int argc, char **argv)
{
	const struct cli_opt	*opt;
	const char		*a, *val;
	int			 i, options = 1;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (!options || a[0] != '-' || a[1] == '\0') {
			cli->args[cli->nargs++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0)
			options = 0;
		else if (strcmp(a, "-c") == 0) {
			if (i + 1 >= argc)
				return (cli_usage_error("-c needs a FILE"));
			cli->conf_path = argv[++i];
		} else if (strncmp(a, "-c", 2) == 0)
			cli->conf_path = a + 2;
		else if (strcmp(a, "--json") == 0)
			cli->json = 1;
		else if (strcmp(a, "--wait") == 0)
			cli->wait = 1;
		else if (strcmp(a, "--limit") == 0) {
			if (i + 1 >= argc)
				return (cli_usage_error("--limit needs N"));
			cli->limit = argv[++i];
		} else if (strncmp(a, "--limit=", 8) == 0)
			cli->limit = a + 8;
		else if ((opt = cli_valued(a, &val)) != NULL) {
			if (val == NULL) {
				if (i + 1 >= argc)
					return (cli_usage_error("%s needs a "
					    "value", a));
				val = argv[++i];
			}
			*(const char **)((char *)cli + opt->off) = val;
		}
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			cli->help = 1;
		else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0)
			cli->version = 1;
		else
			return (cli_usage_error("unknown option: %.64s", a));
	}
	return (EXIT_OK);
}

/* Print a usage error and the short usage line; return EXIT_USAGE. */
static int
cli_usage_error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cli_vwarnx(fmt, ap);
	va_end(ap);
	fprintf(stderr, "usage: feedmux [-c FILE] [--json] VERB [ARGS]"
	    " (feedmux --help lists the verbs)\n");
	return (EXIT_USAGE);
}

/* The usage text: the verbs, the options. */
static const char	*cli_usage_text =
	    "usage: feedmux [-c FILE] [--json] VERB [ARGS]\n"
	    "\n"
	    "verbs:\n"
	    "  feeds                list the feeds and their state\n"
	    "  entries [--feed F] [--category C] [--since T] [--limit N]\n"
	    "                       list entries, newest first"
	    " (N: default 50, 0 = all;\n"
	    "                       T: a date, or a duration back from now"
	    " as in 2d)\n"
	    "  search QUERY [--limit N]\n"
	    "                       full-text search: words, \"phrases\","
	    " prefix*, AND/OR/NOT\n"
	    "  show ID              print one entry\n"
	    "  add URL [--label L] [--category C] [--interval I]\n"
	    "                       subscribe to a feed\n"
	    "  edit FEED [--label L] [--category C] [--interval I]\n"
	    "                       change a feed added with add\n"
	    "  remove FEED          unsubscribe (a feed added with add)\n"
	    "  enable FEED, disable FEED\n"
	    "                       poll a feed again, or stop polling it\n"
	    "  remove-entry ID      remove an entry for good\n"
	    "  refresh [FEED]       ask feedmuxd to poll every feed,"
	    " or FEED (id, URL or label)\n"
	    "    [--wait [--timeout D]]\n"
	    "                       and wait until each poll is over:"
	    " what it brought\n"
	    "  explain FEED         when FEED is polled next and why"
	    " (interval, publisher\n"
	    "                       hints, backoff, Retry-After), its"
	    " validators and errors\n"
	    "  rules test [--feed F] [--category C] [--since T] [--limit N]\n"
	    "                       whether the include and exclude rules"
	    " keep each stored\n"
	    "                       entry, and which rule at which scope"
	    " decided\n"
	    "  import OPML          subscribe to the feeds of an OPML file\n"
	    "  export               the feeds as OPML 2.0\n"
	    "  publish --out DIR    write the published documents into DIR"
	    " for a static\n"
	    "                       host: only those whose bytes changed\n"
	    "  stats                counts and sizes of the store\n"
	    "  prune                apply retention (keep_days,"
	    " keep_per_feed) now\n"
	    "  check                integrity and consistency of the store\n"
	    "  parse FILE           parse a feed file (- for stdin)\n"
	    "  check-config         check the configuration file\n"
	    "  help [VERB]          print this text, or what VERB does\n"
	    "\n"
	    "options:\n"
	    "  -c FILE              the configuration"
	    " (default: $FEEDMUX_CONFIG, else " CONF_DEFAULT_PATH ")\n"
	    "  --json               print JSON (every listing)\n"
	    "  -h, --help           print this text\n"
	    "  -V, --version        print the version\n"
	    "\n"
	    "Exit status: 0 success, 1 error, 2 usage error.\n";

/* The full usage text, on stdout. */
static void
cli_usage(void)
{
	cli_puts(cli_usage_text);
}

/* Print "feedmux: MESSAGE" on stderr, cleaned of terminal controls. */
static void
cli_vwarnx(const char *fmt, va_list ap)
{
	char	 line[1024], *s;

	vsnprintf(line, sizeof line, fmt, ap);
	s = cli_clean(line, CLEAN_LINE);
	fprintf(stderr, "feedmux: %s\n", s);
	free(s);
}

static void
cli_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cli_vwarnx(fmt, ap);
	va_end(ap);
}

/*
 * Flush stdout and return the exit status. A reader that went away
 * (EPIPE: `feedmux entries | head -1`) is a quiet success (HOSTILE-61);
 * any other write error is reported, as sfeed does.
 */
static int
cli_finish(int rc)
{
	if (fflush(stdout) == EOF && out_errno == 0)
		out_errno = errno != 0 ? errno : EIO;
	if (out_errno == 0 && ferror(stdout))
		out_errno = EIO;
	if (out_errno == EPIPE)
		return (rc);
	if (out_errno != 0) {
		fprintf(stderr, "feedmux: stdout: %s\n", strerror(out_errno));
		return (EXIT_USER);
	}
	return (rc);
}

/* Can output continue? Long listings stop at the first write error. */
static int
cli_out_ok(void)
{
	return (out_errno == 0);
}

/* Write to stdout, remembering the first error. */
static void
cli_write(const char *s, size_t len)
{
	if (out_errno != 0 || len == 0)
		return;
	if (fwrite(s, 1, len, stdout) != len)
		out_errno = errno != 0 ? errno : EIO;
}

static void
cli_puts(const char *s)
{
	cli_write(s, strlen(s));
}

/* The width of the terminal on stdout, or 0 when stdout is not one. */
static int
cli_termwidth(void)
{
	struct winsize	ws;

	if (!isatty(STDOUT_FILENO))
		return (0);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == -1 || ws.ws_col == 0)
		return (0);
	return (ws.ws_col);
}

/*
 * Read a decimal number from 0 to max: digits only, no sign, no spaces,
 * no junk, no overflow (HOSTILE-62). Returns 0, or -1 if malformed.
 */
static int
cli_number(const char *s, int64_t max, int64_t *out)
{
	char		*end;
	long long	 v;

	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		return (-1);
	*out = v;
	return (0);
}

/*
 * Is this a sane name argument (a FEED)? Bounded, valid UTF-8 and free of
 * control characters: it goes into a one-line control request.
 */
static int
cli_arg_ok(const char *s)
{
	size_t	 len = strlen(s);
	char	*u;
	int	 ok;

	if (len == 0 || len > FEED_ARG_MAX)
		return (0);
	u = utf8_clean(s, len);
	ok = strcmp(u, s) == 0 && strpbrk(s, "\t\r\n") == NULL;
	free(u);
	return (ok);
}

/* Decode one code point of valid UTF-8; return its length in bytes. */
static size_t
utf8_len(const char *s, uint32_t *cp)
{
	const unsigned char	*p = (const unsigned char *)s;

	if (p[0] < 0x80) {
		*cp = p[0];
		return (1);
	}
	if (p[0] < 0xe0 && p[1] != '\0') {
		*cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
		return (2);
	}
	if (p[0] < 0xf0 && p[1] != '\0' && p[2] != '\0') {
		*cp = ((uint32_t)(p[0] & 0x0f) << 12) |
		    ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
		return (3);
	}
	if (p[1] != '\0' && p[2] != '\0' && p[3] != '\0') {
		*cp = ((uint32_t)(p[0] & 0x07) << 18) |
		    ((uint32_t)(p[1] & 0x3f) << 12) |
		    ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
		return (4);
	}
	*cp = 0xfffd;
	return (1);
}

/* Bidirectional overrides, isolates and marks (HOSTILE-58). */
static int
cp_is_bidi(uint32_t c)
{
	return (c == 0x061c || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069));
}

/*
 * Columns a code point takes on a terminal: 0 for combining marks and
 * zero-width characters, 2 for East Asian wide ones, else 1. A table of
 * our own, so the layout does not depend on the locale.
 */
static int
cp_width(uint32_t c)
{
	static const uint32_t	zero[][2] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd },
		{ 0x0610, 0x061a }, { 0x064b, 0x065f }, { 0x0e31, 0x0e31 },
		{ 0x0e34, 0x0e3a }, { 0x0e47, 0x0e4e }, { 0x1160, 0x11ff },
		{ 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x200b, 0x200d },
		{ 0x20d0, 0x20ff }, { 0x302a, 0x302f }, { 0x3099, 0x309a },
		{ 0xd7b0, 0xd7ff }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
		{ 0xfeff, 0xfeff }, { 0xe0100, 0xe01ef }
	};
	static const uint32_t	wide[][2] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
		{ 0xa960, 0xa97f }, { 0xac00, 0xd7a3 }, { 0xf900, 0xfaff },
		{ 0xfe30, 0xfe4f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 },
		{ 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff },
		{ 0x20000, 0x2fffd }, { 0x30000, 0x3fffd }
	};
	size_t	i;

	for (i = 0; i < sizeof zero / sizeof zero[0]; i++) {
		if (c >= zero[i][0] && c <= zero[i][1])
			return (0);
	}
	for (i = 0; i < sizeof wide / sizeof wide[0]; i++) {
		if (c >= wide[i][0] && c <= wide[i][1])
			return (2);
	}
	return (1);
}

/*
 * Return a copy of a string safe to print on a terminal (HOSTILE-58):
 * valid UTF-8, without C0 and C1 controls (ESC, CR, DEL, CSI), bidi
 * overrides and isolates. With CLEAN_LINE, runs of spaces, tabs and line
 * breaks become single spaces and the ends are trimmed; otherwise line
 * breaks stay and a tab becomes a space. Caller frees.
 */
static char *
cli_clean(const char *s, int flags)
{
	struct buf	 b;
	char		*u, *p;
	uint32_t	 c;
	size_t		 n;
	int		 space = 0;

	u = utf8_clean(s, strlen(s));
	buf_init(&b);
	for (p = u; *p != '\0'; p += n) {
		n = utf8_len(p, &c);
		if (c == '\n' || c == 0x2028 || c == 0x2029) {
			if (flags & CLEAN_LINE)
				space = 1;
			else {
				buf_addc(&b, '\n');
				space = 0;
			}
			continue;
		}
		if (c == '\t' || c == ' ' ||
		    (c == '\r' && (flags & CLEAN_LINE))) {
			if (flags & CLEAN_LINE)
				space = 1;
			else
				buf_addc(&b, ' ');
			continue;
		}
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || cp_is_bidi(c))
			continue;
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		buf_add(&b, p, n);
	}
	free(u);
	return (buf_steal(&b, NULL));
}

/* Columns len bytes of clean UTF-8 take. */
static int
cli_width(const char *s, size_t len)
{
	const char	*end = s + len;
	uint32_t	 c;
	int		 w = 0;

	while (s < end && *s != '\0') {
		s += utf8_len(s, &c);
		w += cp_width(c);
	}
	return (w);
}

/*
 * Append clean text cut to width columns ("…" marks a cut), padded with
 * spaces to width if pad, right-aligned if right.
 */
static void
cli_fit(struct buf *b, const char *s, int width, int pad, int right)
{
	const char	*p, *cut;
	uint32_t	 c;
	size_t		 n;
	int		 w, cw, full;

	full = cli_width(s, strlen(s));
	if (full <= width) {
		if (right)
			for (w = full; w < width; w++)
				buf_addc(b, ' ');
		buf_adds(b, s);
		if (pad && !right)
			for (w = full; w < width; w++)
				buf_addc(b, ' ');
		return;
	}
	/* Keep what fits in width - 1 columns, then the ellipsis. */
	w = 0;
	for (p = s; *p != '\0'; p += n) {
		n = utf8_len(p, &c);
		cw = cp_width(c);
		if (w + cw > width - 1)
			break;
		w += cw;
	}
	cut = p;
	buf_add(b, s, cut - s);
	if (width > 0) {
		buf_adds(b, "\xe2\x80\xa6");
		w++;
	}
	if (pad)
		for (; w < width; w++)
			buf_addc(b, ' ');
}

/*
 * Append one line of clean text word-wrapped at width columns. Leading
 * spaces are kept as the indent of every line of it; a word longer than
 * a line is cut anywhere (CJK text has no spaces to break at).
 */
static void
cli_wrap_line(struct buf *b, const char *line, size_t len, int width)
{
	const char	*p = line, *end = line + len, *w, *q;
	uint32_t	 c;
	size_t		 n;
	int		 indent = 0, col, ww, cw, i;

	while (p < end && *p == ' ' && indent < width / 2) {
		indent++;
		p++;
	}
	buf_add(b, line, indent);
	col = indent;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		w = p;
		while (p < end && *p != ' ')
			p += utf8_len(p, &c);
		ww = cli_width(w, p - w);
		if (col > indent) {
			if (col + 1 + ww <= width) {
				buf_addc(b, ' ');
				col++;
			} else {
				buf_addc(b, '\n');
				for (i = 0; i < indent; i++)
					buf_addc(b, ' ');
				col = indent;
			}
		}
		if (col + ww <= width) {
			buf_add(b, w, p - w);
			col += ww;
			continue;
		}
		for (q = w; q < p; q += n) {
			n = utf8_len(q, &c);
			cw = cp_width(c);
			if (col + cw > width && col > indent) {
				buf_addc(b, '\n');
				for (i = 0; i < indent; i++)
					buf_addc(b, ' ');
				col = indent;
			}
			buf_add(b, q, n);
			col += cw;
		}
	}
	buf_addc(b, '\n');
}

/*
 * Append clean multi-line text wrapped at width columns: paragraphs (one
 * blank line between) are kept, longer runs of blank lines shrink to
 * one, and blank lines at the ends go.
 */
static void
cli_wrap(struct buf *b, const char *text, int width)
{
	const char	*p = text, *nl;
	size_t		 len;
	int		 blank = 0, any = 0;

	while (*p != '\0') {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		len = nl - p;
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (strspn(p, " ") >= len)
			blank = any;
		else {
			if (blank)
				buf_addc(b, '\n');
			cli_wrap_line(b, p, len, width);
			blank = 0;
			any = 1;
		}
		p = *nl == '\0' ? nl : nl + 1;
	}
}

/* Start a table of ncols columns; the strings must outlive it. */
static void
table_init(struct table *t, int ncols, const char **headers,
    const int *flags)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	t->headers = headers;
	t->flags = flags;
}

/* Add a row (ncols strings, cleaned here) and an optional note line. */
static void
table_add(struct table *t, const char **cells, const char *note)
{
	int	i;

	t->cells = xreallocarray(t->cells, (t->nrows + 1) * t->ncols,
	    sizeof *t->cells);
	t->notes = xreallocarray(t->notes, t->nrows + 1, sizeof *t->notes);
	for (i = 0; i < t->ncols; i++) {
		t->cells[t->nrows * t->ncols + i] =
		    cli_clean(cells[i] != NULL ? cells[i] : "", CLEAN_LINE);
	}
	t->notes[t->nrows] = note != NULL ? cli_clean(note, CLEAN_LINE) : NULL;
	t->nrows++;
}

/*
 * Print a table with aligned columns. On a terminal of termwidth columns
 * the widest shrinkable columns are cut until a row fits; elsewhere
 * (termwidth 0) nothing is cut.
 */
static void
table_print(struct table *t, int termwidth)
{
	struct buf	 b;
	const char	*s;
	size_t		 r;
	int		*w, *minw, i, total, best, last, cell;

	w = xcalloc(t->ncols, sizeof *w);
	minw = xcalloc(t->ncols, sizeof *minw);
	for (i = 0; i < t->ncols; i++) {
		w[i] = cli_width(t->headers[i], strlen(t->headers[i]));
		for (r = 0; r < t->nrows; r++) {
			s = t->cells[r * t->ncols + i];
			cell = cli_width(s, strlen(s));
			if (cell > w[i])
				w[i] = cell;
		}
		minw[i] = w[i] < COL_MIN ? w[i] : COL_MIN;
	}
	total = 2 * (t->ncols - 1);
	for (i = 0; i < t->ncols; i++)
		total += w[i];
	while (termwidth > 0 && total > termwidth) {
		best = -1;
		for (i = 0; i < t->ncols; i++) {
			if ((t->flags[i] & COL_SHRINK) && w[i] > minw[i] &&
			    (best == -1 || w[i] > w[best]))
				best = i;
		}
		if (best == -1)
			break;
		w[best]--;
		total--;
	}

	buf_init(&b);
	last = t->ncols - 1;
	for (i = 0; i < t->ncols; i++) {
		cli_fit(&b, t->headers[i], w[i], i != last,
		    t->flags[i] & COL_RIGHT);
		if (i != last)
			buf_adds(&b, "  ");
	}
	buf_addc(&b, '\n');
	cli_write(b.data, b.len);
	for (r = 0; r < t->nrows && cli_out_ok(); r++) {
		buf_reset(&b);
		for (i = 0; i < t->ncols; i++) {
			cli_fit(&b, t->cells[r * t->ncols + i], w[i],
			    i != last, t->flags[i] & COL_RIGHT);
			if (i != last)
				buf_adds(&b, "  ");
		}
		while (b.len > 0 && b.data[b.len - 1] == ' ')
			b.data[--b.len] = '\0';
		buf_addc(&b, '\n');
		if (t->notes[r] != NULL) {
			buf_adds(&b, "    ");
			cli_fit(&b, t->notes[r],
			    termwidth > 4 ? termwidth - 4 : INT32_MAX, 0, 0);
			buf_addc(&b, '\n');
		}
		cli_write(b.data, b.len);
	}
	buf_free(&b);
	free(w);
	free(minw);
}

static void
table_free(struct table *t)
{
	size_t	i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (i = 0; i < t->nrows; i++)
		free(t->notes[i]);
	free(t->cells);
	free(t->notes);
}

/* A JSON string, or null for NULL; never NULL itself. */
static json_t *
cli_jstr(const char *s)
{
	json_t	*j;
	char	*u;

	if (s == NULL)
		return (json_null());
	if ((j = json_string(s)) != NULL)
		return (j);
	/* jansson wants UTF-8: repair what the store should not hold. */
	u = utf8_clean(s, strlen(s));
	j = json_string(u);
	free(u);
	if (j == NULL)
		fatalx("out of memory");
	return (j);
}

/* An RFC 3339 time, or null. */
static json_t *
cli_jtime(int64_t t)
{
	char	buf[DATE_BUFSZ];

	if (t == TIME_NONE)
		return (json_null());
	return (cli_jstr(date_rfc3339(t, buf)));
}

static void
cli_jset(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		fatalx("out of memory");
}

static void
cli_jappend(json_t *arr, json_t *v)
{
	if (v == NULL || json_array_append_new(arr, v) != 0)
		fatalx("out of memory");
}

/* Print a JSON document, indented, keys in insertion order. */
static void
cli_jprint(json_t *j)
{
	char	*s;

	s = json_dumps(j, JSON_INDENT(2)|JSON_PRESERVE_ORDER);
	if (s == NULL)
		fatalx("out of memory");
	cli_puts(s);
	cli_puts("\n");
	free(s);
}

/* A time for tables: "2019-04-24 12:15" (UTC), or "-". */
static char *
cli_time_short(int64_t t, char *buf)
{
	size_t	len;

	if (t == TIME_NONE) {
		snprintf(buf, DATE_BUFSZ, "-");
		return (buf);
	}
	date_rfc3339(t, buf);
	len = strlen(buf);
	if (len >= 16 && buf[10] == 'T') {
		buf[10] = ' ';
		buf[16] = '\0';
	}
	return (buf);
}

/* An RFC 3339 time, or none when unknown. */
static const char *
cli_time_or(int64_t t, char *buf, const char *none)
{
	if (t == TIME_NONE)
		return (none);
	return (date_rfc3339(t, buf));
}

/* Load the configuration. Returns EXIT_OK or EXIT_USER (printed). */
static int
cli_conf(struct cli *cli, struct conf **conf)
{
	char	*cause = NULL;

	if ((*conf = conf_load(cli->conf_path, &cause)) == NULL) {
		cli_warnx("%s", cause != NULL ? cause : cli->conf_path);
		free(cause);
		return (EXIT_USER);
	}
	return (EXIT_OK);
}

/*
 * Load the configuration and open its store read-only: what every
 * listing starts with. A missing database is a plain "no such file", not
 * something to create (HOSTILE-60). Returns EXIT_OK or EXIT_USER
 * (printed); *conf is set even when the store cannot be opened.
 */
static int
cli_store(struct cli *cli, struct conf **confp, struct store **st)
{
	struct conf	*conf;
	struct stat	 sb;
	char		*cause = NULL;
	int		 rc;

	if ((rc = cli_conf(cli, confp)) != EXIT_OK)
		return (rc);
	conf = *confp;
	if (stat(conf->database, &sb) == -1) {
		cli_warnx("%s: %s", conf->database, strerror(errno));
		return (EXIT_USER);
	}
	if ((*st = store_open(conf->database, STORE_READONLY,
	    &cause)) == NULL) {
		cli_warnx("%s", cause != NULL ? cause : conf->database);
		free(cause);
		return (EXIT_USER);
	}
	return (EXIT_OK);
}

/* What a feed is called: its label, else its title, else its URL. */
static char *
cli_feed_label(const struct store_feed *f)
{
	if (f->label != NULL && *f->label != '\0')
		return (xstrdup(f->label));
	if (f->title != NULL && *f->title != '\0')
		return (xstrdup(f->title));
	return (url_redact(f->url));
}

/*
 * What a source is called: its label, else the URL it is polled at
 * (without credentials). Caller frees.
 */
static char *
cli_source_label(const struct entry_source *src)
{
	if (src->label != NULL && *src->label != '\0')
		return (xstrdup(src->label));
	if (src->feed_url != NULL)
		return (url_redact(src->feed_url));
	return (xstrdup("?"));
}

/* An entry object of the CLI's JSON (DESIGN.md, "CLI"). */
static json_t *
cli_entry_json(const struct stored_entry *se)
{
	json_t	*o, *sources;
	char	*label;
	size_t	 i;

	o = json_object();
	if (o == NULL)
		fatalx("out of memory");
	cli_jset(o, "id", json_integer(se->id));
	cli_jset(o, "title", cli_jstr(se->title != NULL ? se->title : ""));
	cli_jset(o, "link", cli_jstr(se->link));
	cli_jset(o, "author", cli_jstr(se->author));
	cli_jset(o, "published", cli_jtime(se->published));
	cli_jset(o, "updated", cli_jtime(se->updated));
	sources = json_array();
	if (sources == NULL)
		fatalx("out of memory");
	for (i = 0; i < se->nsources; i++) {
		label = cli_source_label(&se->sources[i]);
		cli_jappend(sources, cli_jstr(label));
		free(label);
	}
	if (json_array_size(sources) > 0)
		cli_jset(o, "label", json_copy(json_array_get(sources, 0)));
	else
		cli_jset(o, "label", json_null());
	cli_jset(o, "sources", sources);
	return (o);
}

/*
 * Read a whole file ("-": stdin) of at most PARSE_MAX bytes. Returns
 * EXIT_OK with *data (caller frees) and *len, or EXIT_USER (printed).
 */
static int
cli_read_file(const char *path, char **data, size_t *len)
{
	struct buf	 b;
	struct stat	 sb;
	char		 chunk[65536];
	ssize_t		 n;
	int		 fd, rc = EXIT_USER;

	buf_init(&b);
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1) {
		cli_warnx("%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		cli_warnx("%s: %s", path, strerror(EISDIR));
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			cli_warnx("%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (b.len + n > PARSE_MAX) {
			cli_warnx("%s: larger than %d MiB", path,
			    PARSE_MAX / (1024 * 1024));
			goto out;
		}
		buf_add(&b, chunk, n);
	}
	*data = buf_steal(&b, len);
	rc = EXIT_OK;
out:
	if (fd != -1 && fd != STDIN_FILENO)
		close(fd);
	buf_free(&b);
	return (rc);
}

/* feeds: one row per feed with its fetch state. */
static int
verb_feeds(struct cli *cli)
{
	static const char	*headers[] = { "ID", "LABEL", "CATEGORY",
				    "STATUS", "LAST FETCH", "ENTRIES",
				    "ERROR" };
	static const int	 flags[] = { COL_RIGHT, COL_SHRINK, COL_SHRINK,
				    0, 0, COL_RIGHT, COL_SHRINK };
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_feed	**v = NULL, *f;
	struct table		 t;
	const char		*cells[7];
	json_t			*arr, *o;
	char			 id[32], count[32], when[DATE_BUFSZ];
	char			*label, *moved, *redacted, *cause = NULL;
	size_t			 n = 0, i;
	int			 rc;

	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	if (store_feeds(st, &v, &n, &cause) != 0) {
		cli_warnx("%s", cause);
		rc = EXIT_USER;
		goto out;
	}

	if (cli->json) {
		if ((arr = json_array()) == NULL)
			fatalx("out of memory");
		for (i = 0; i < n; i++) {
			f = v[i];
			if ((o = json_object()) == NULL)
				fatalx("out of memory");
			cli_jset(o, "id", json_integer(f->id));
			cli_jset(o, "url", cli_jstr(f->url));
			if (f->fetch_url != NULL &&
			    strcmp(f->fetch_url, f->url) != 0)
				cli_jset(o, "fetch_url",
				    cli_jstr(f->fetch_url));
			else
				cli_jset(o, "fetch_url", json_null());
			if (f->label != NULL && *f->label != '\0')
				cli_jset(o, "label", cli_jstr(f->label));
			else if (f->title != NULL && *f->title != '\0')
				cli_jset(o, "label", cli_jstr(f->title));
			else
				cli_jset(o, "label", json_null());
			cli_jset(o, "title", cli_jstr(f->title));
			cli_jset(o, "category", cli_jstr(f->category));
			cli_jset(o, "enabled", json_boolean(f->enabled));
			cli_jset(o, "status", cli_jstr(f->status));
			cli_jset(o, "last_fetch", cli_jtime(f->last_fetch));
			cli_jset(o, "next_poll", cli_jtime(f->next_poll));
			cli_jset(o, "entries", json_integer(f->entries));
			cli_jset(o, "error", cli_jstr(f->error));
			cli_jappend(arr, o);
		}
		cli_jprint(arr);
		json_decref(arr);
		goto out;
	}

	table_init(&t, 7, headers, flags);
	for (i = 0; i < n; i++) {
		f = v[i];
		snprintf(id, sizeof id, "%" PRId64, f->id);
		snprintf(count, sizeof count, "%" PRId64, f->entries);
		label = cli_feed_label(f);
		cells[0] = id;
		cells[1] = label;
		cells[2] = f->category;
		cells[3] = f->status;
		cells[4] = cli_time_or(f->last_fetch, when, "-");
		cells[5] = count;
		cells[6] = f->error;
		moved = NULL;
		if (f->fetch_url != NULL && strcmp(f->fetch_url, f->url) != 0) {
			redacted = url_redact(f->fetch_url);
			xasprintf(&moved, "moved permanently to %s", redacted);
			free(redacted);
		}
		table_add(&t, cells, moved);
		free(moved);
		free(label);
	}
	table_print(&t, cli->termwidth);
	table_free(&t);
out:
	free(cause);
	store_feeds_free(v, n);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/*
 * Print entries as a table (ID, DATE, SOURCE with every label, TITLE;
 * a search snippet under its row) or as a JSON array.
 */
static void
cli_entries_table(struct cli *cli, struct stored_entry **v, size_t n)
{
	static const char	*headers[] = { "ID", "DATE", "SOURCE",
				    "TITLE" };
	static const int	 flags[] = { COL_RIGHT, 0, COL_SHRINK,
				    COL_SHRINK };
	struct stored_entry	*se;
	struct table		 t;
	struct buf		 src;
	const char		*cells[4];
	json_t			*arr, *o;
	char			 id[32], when[DATE_BUFSZ], *label;
	size_t			 i, j;

	if (cli->json) {
		if ((arr = json_array()) == NULL)
			fatalx("out of memory");
		for (i = 0; i < n; i++) {
			o = cli_entry_json(v[i]);
			if (v[i]->snippet != NULL)
				cli_jset(o, "snippet", cli_jstr(v[i]->snippet));
			cli_jappend(arr, o);
		}
		cli_jprint(arr);
		json_decref(arr);
		return;
	}
	table_init(&t, 4, headers, flags);
	buf_init(&src);
	for (i = 0; i < n; i++) {
		se = v[i];
		snprintf(id, sizeof id, "%" PRId64, se->id);
		buf_reset(&src);
		for (j = 0; j < se->nsources; j++) {
			if (j > 0)
				buf_adds(&src, ", ");
			label = cli_source_label(&se->sources[j]);
			buf_adds(&src, label);
			free(label);
		}
		cells[0] = id;
		cells[1] = cli_time_short(stored_entry_date(se), when);
		cells[2] = src.data != NULL ? src.data : "";
		cells[3] = se->title;
		table_add(&t, cells, se->snippet);
	}
	buf_free(&src);
	table_print(&t, cli->termwidth);
	table_free(&t);
}

/*
 * A --since argument: a date (RFC 3339 and the other forms feeds use),
 * or a duration back from now ("2d", "12h"). Returns 0, or -1.
 */
static int
cli_since(const char *arg, int64_t *t)
{
	int64_t	ms;

	if (conf_parse_duration(arg, &ms) == 0) {
		*t = (int64_t)time(NULL) - ms / 1000;
		return (0);
	}
	if (strlen(arg) < 64 && date_parse(arg, t) == 0)
		return (0);
	return (-1);
}

/*
 * Read the options of a listing into a new query: --limit (else the
 * default), --since, --feed (checked here, looked up by the caller in
 * the store) and --category. Returns EXIT_OK or EXIT_USAGE (printed).
 */
static int
cli_filter_opts(struct cli *cli, struct store_query *q)
{
	memset(q, 0, sizeof *q);
	q->limit = LIMIT_DEFAULT;
	q->category = cli->category;
	if (cli->limit != NULL && cli_number(cli->limit, LIMIT_MAX,
	    &q->limit) != 0)
		return (cli_usage_error("--limit: not a number from 0 to %lld:"
		    " '%.32s'", LIMIT_MAX, cli->limit));
	if (cli->since != NULL && cli_since(cli->since, &q->since) != 0)
		return (cli_usage_error("--since: not a date or a duration: "
		    "'%.32s'", cli->since));
	if (cli->feed != NULL && !cli_arg_ok(cli->feed))
		return (cli_usage_error("--feed: not a feed id, URL or label: "
		    "'%.32s'", cli->feed));
	if (cli->category != NULL && !cli_arg_ok(cli->category))
		return (cli_usage_error("--category: not a category: '%.32s'",
		    cli->category));
	return (EXIT_OK);
}

/*
 * entries [--feed F] [--category C] [--since T] [--limit N]: newest
 * first, each story once with every source that carried it.
 */
static int
verb_entries(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_feed	*feed = NULL;
	struct stored_entry	**v = NULL;
	struct store_query	 q;
	char			*cause = NULL;
	size_t			 n = 0;
	int			 rc;

	if ((rc = cli_filter_opts(cli, &q)) != EXIT_OK)
		return (rc);
	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	if (cli->feed != NULL) {
		if ((rc = cli_find_feed(st, cli->feed, &feed)) != EXIT_OK)
			goto out;
		q.feed_id = feed->id;
	}
	if (store_entries(st, &q, &v, &n, &cause) != 0) {
		cli_warnx("%s", cause);
		rc = EXIT_USER;
		goto out;
	}
	cli_entries_table(cli, v, n);
out:
	free(cause);
	stored_entries_free(v, n);
	store_feed_free(feed);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* show ID: one entry as text to read, or as JSON. */
static int
verb_show(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct stored_entry	*se = NULL;
	struct buf		 b;
	const char		*html;
	json_t			*o, *a, *e;
	char			 when[DATE_BUFSZ], *text = NULL, *s;
	char			*cause = NULL, *label, *line;
	int64_t			 id, t;
	size_t			 i;
	int			 rc, width;

	if (cli_number(cli->args[1], INT64_MAX, &id) != 0)
		return (cli_usage_error("show: not an entry id: '%.32s'",
		    cli->args[1]));
	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	if (store_entry_get(st, id, &se, &cause) != 0) {
		cli_warnx("%s", cause);
		rc = EXIT_USER;
		goto out;
	}
	if (se == NULL) {
		cli_warnx("no entry %" PRId64, id);
		rc = EXIT_USER;
		goto out;
	}

	html = se->content != NULL ? se->content :
	    (se->summary != NULL ? se->summary : "");
	text = html_to_text(html);
	if (cli->json) {
		o = cli_entry_json(se);
		cli_jset(o, "content", cli_jstr(se->content != NULL ?
		    se->content : se->summary));
		cli_jset(o, "text", cli_jstr(text));
		/* As parse --json has them. */
		if ((a = json_array()) == NULL)
			fatalx("out of memory");
		for (i = 0; i < se->nenclosures; i++) {
			if ((e = json_object()) == NULL)
				fatalx("out of memory");
			cli_jset(e, "url", cli_jstr(se->enclosures[i].url));
			cli_jset(e, "type", cli_jstr(se->enclosures[i].type));
			cli_jset(e, "length",
			    json_integer(se->enclosures[i].length));
			cli_jappend(a, e);
		}
		cli_jset(o, "enclosures", a);
		cli_jprint(o);
		json_decref(o);
		goto out;
	}

	width = cli->termwidth > 0 ? cli->termwidth : WRAP_DEFAULT;
	if (width < WRAP_MIN)
		width = WRAP_MIN;
	buf_init(&b);
	s = cli_clean(se->title != NULL && *se->title != '\0' ?
	    se->title : "(untitled)", CLEAN_LINE);
	cli_wrap(&b, s, width);
	free(s);

	/* "Posted on DATE by AUTHOR", as the HTML page says it. */
	t = stored_entry_date(se);
	s = cli_clean(se->author != NULL ? se->author : "", CLEAN_LINE);
	line = NULL;
	if (t != TIME_NONE && *s != '\0')
		xasprintf(&line, "Posted on %s by %s", date_human(t, when), s);
	else if (t != TIME_NONE)
		xasprintf(&line, "Posted on %s", date_human(t, when));
	else if (*s != '\0')
		xasprintf(&line, "Posted by %s", s);
	if (line != NULL)
		cli_wrap(&b, line, width);
	free(line);
	free(s);
	if (se->link != NULL) {
		s = cli_clean(se->link, CLEAN_LINE);
		buf_printf(&b, "%s\n", s);
		free(s);
	}
	for (i = 0; i < se->nsources; i++) {
		label = cli_source_label(&se->sources[i]);
		s = cli_clean(label, CLEAN_LINE);
		buf_printf(&b, "%s[%s]", i > 0 ? " " : "", s);
		free(s);
		free(label);
	}
	if (se->nsources > 0)
		buf_addc(&b, '\n');
	for (i = 0; i < se->nenclosures; i++) {
		s = cli_clean(se->enclosures[i].url, CLEAN_LINE);
		buf_printf(&b, "Enclosure: %s", s);
		free(s);
		s = cli_clean(se->enclosures[i].type, CLEAN_LINE);
		if (*s != '\0' && se->enclosures[i].length > 0)
			buf_printf(&b, " (%s, %" PRId64 " bytes)", s,
			    se->enclosures[i].length);
		else if (*s != '\0')
			buf_printf(&b, " (%s)", s);
		else if (se->enclosures[i].length > 0)
			buf_printf(&b, " (%" PRId64 " bytes)",
			    se->enclosures[i].length);
		buf_addc(&b, '\n');
		free(s);
	}
	s = cli_clean(text, 0);
	if (*s != '\0') {
		buf_addc(&b, '\n');
		cli_wrap(&b, s, width);
	}
	free(s);
	cli_write(b.data, b.len);
	buf_free(&b);
out:
	free(text);
	free(cause);
	stored_entry_free(se);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* A feed refresh --wait waits for, as it was when asked. */
struct cli_wait {
	int64_t		 id;
	char		*label;
	int64_t		 entries;	/* stories it carried, before */
	int		 done;
	struct store_feed *after;	/* as the poll left it, or NULL */
};

/* Could the daemon poll this feed (as daemon_pollable says)? */
static int
cli_pollable(const struct store_feed *f)
{
	return (f->enabled && (f->status == NULL ||
	    (strcmp(f->status, "gone") != 0 &&
	    strcmp(f->status, "disabled") != 0)));
}

/* Milliseconds of a monotonic clock. */
static int64_t
cli_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * Look at the store once: mark each feed waited for that is done (its
 * poll recorded since since: a plan other than "refresh" and a fetch
 * time from then on; or removed, disabled or gone meanwhile). Returns
 * how many are done, or -1 if the store cannot be read (printed).
 */
static ssize_t
cli_wait_look(struct store *st, struct cli_wait *w, size_t nw,
    int64_t since)
{
	struct store_feed	**feeds = NULL, *f;
	size_t			  nfeeds = 0, i, j, ndone = 0;
	char			 *cause = NULL;

	if (store_feeds(st, &feeds, &nfeeds, &cause) != 0) {
		cli_warnx("%s", cause);
		free(cause);
		return (-1);
	}
	for (i = 0; i < nw; i++) {
		if (w[i].done) {
			ndone++;
			continue;
		}
		for (j = 0; j < nfeeds && (feeds[j] == NULL ||
		    feeds[j]->id != w[i].id); j++)
			;
		f = j < nfeeds ? feeds[j] : NULL;
		if (f != NULL && cli_pollable(f) && (f->plan == NULL ||
		    strcmp(f->plan, "refresh") == 0 || f->last_fetch ==
		    TIME_NONE || f->last_fetch < since))
			continue;
		w[i].done = 1;
		if (f != NULL) {
			w[i].after = f;
			feeds[j] = NULL;
		}
		ndone++;
	}
	for (j = 0; j < nfeeds; j++)
		store_feed_free(feeds[j]);
	free(feeds);
	return ((ssize_t)ndone);
}

/*
 * What came of a poll, for people: "ok 200", "not modified", "error:
 * TEXT", "gone", "removed", "disabled", "not polled yet". Caller frees.
 */
static char *
cli_wait_result(const struct cli_wait *w)
{
	const struct store_feed	*f = w->after;
	char			*s;

	if (!w->done)
		return (xstrdup("not polled yet"));
	if (f == NULL)
		return (xstrdup("removed"));
	if (!f->enabled)
		return (xstrdup("disabled"));
	if (f->error != NULL && *f->error != '\0') {
		xasprintf(&s, "%s: %s", f->status != NULL ? f->status :
		    "error", f->error);
		return (s);
	}
	if (f->http_status == 304)
		return (xstrdup("not modified"));
	if (f->http_status > 0)
		xasprintf(&s, "%s %d", f->status != NULL ? f->status : "ok",
		    f->http_status);
	else
		s = xstrdup(f->status != NULL ? f->status : "ok");
	return (s);
}

/* Did a poll fail: an error recorded, or never polled in time? */
static int
cli_wait_failed(const struct cli_wait *w)
{
	return (!w->done || (w->after != NULL && w->after->enabled &&
	    w->after->error != NULL && *w->after->error != '\0'));
}

/* New stories a poll brought: what the feed carries now, less before. */
static int64_t
cli_wait_new(const struct cli_wait *w)
{
	if (w->after == NULL || w->after->entries < w->entries)
		return (0);
	return (w->after->entries - w->entries);
}

/*
 * refresh [FEED] [--wait [--timeout D]] [--json]: ask the daemon to
 * poll every feed, or FEED, now; return once it has the request, or
 * with --wait once every poll is recorded in the store, and say what
 * each one brought.
 */
static int
verb_refresh(struct cli *cli)
{
	static const char	*headers[] = { "ID", "FEED", "NEW", "RESULT" };
	static const int	 flags[] = { COL_RIGHT, COL_SHRINK, COL_RIGHT,
				    COL_SHRINK };
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_feed	**feeds = NULL, *feed = NULL;
	struct cli_wait		*w = NULL;
	struct table		 t;
	json_t			*arr = NULL, *o;
	const char		*cells[4];
	char			*request = NULL, *cause = NULL, *result, id[32];
	char			 newc[32], dur[32];
	size_t			 nfeeds = 0, nw = 0, i, nfailed = 0;
	ssize_t			 ndone = 0;
	int64_t			 timeout = REFRESH_TIMEOUT, deadline, since;
	int			 rc, tty;

	if (cli->nargs > 1 && !cli_arg_ok(cli->args[1]))
		return (cli_usage_error("refresh: not a feed id, URL or label:"
		    " '%.32s'", cli->args[1]));
	if (!cli->wait && (cli->timeout != NULL || cli->json))
		return (cli_usage_error("refresh: --%s goes with --wait",
		    cli->json ? "json" : "timeout"));
	if (cli->timeout != NULL && (conf_parse_duration(cli->timeout,
	    &timeout) != 0 || timeout <= 0))
		return (cli_usage_error("refresh: --timeout: not a duration:"
		    " '%.32s'", cli->timeout));
	if (cli->wait) {
		/* What to wait for, as it is before the request. */
		if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
			goto out;
		if (cli->nargs > 1) {
			if ((rc = cli_find_feed(st, cli->args[1], &feed)) !=
			    EXIT_OK)
				goto out;
			w = xcalloc(1, sizeof *w);
			w[nw].id = feed->id;
			w[nw].label = cli_feed_label(feed);
			w[nw++].entries = feed->entries;
		} else {
			if (store_feeds(st, &feeds, &nfeeds, &cause) != 0) {
				cli_warnx("%s", cause);
				rc = EXIT_USER;
				goto out;
			}
			w = xcalloc(nfeeds + 1, sizeof *w);
			for (i = 0; i < nfeeds; i++) {
				if (!cli_pollable(feeds[i]))
					continue;
				w[nw].id = feeds[i]->id;
				w[nw].label = cli_feed_label(feeds[i]);
				w[nw++].entries = feeds[i]->entries;
			}
		}
	} else if ((rc = cli_conf(cli, &conf)) != EXIT_OK)
		goto out;

	since = (int64_t)time(NULL);
	if (cli->nargs > 1)
		xasprintf(&request, "refresh %s", cli->args[1]);
	else
		request = xstrdup("refresh");
	if (server_control_send(conf->control, request, &cause) != 0) {
		cli_warnx("%s", cause != NULL ? cause : "refresh failed");
		rc = EXIT_USER;
		goto out;
	}
	rc = EXIT_OK;
	if (!cli->wait)
		goto out;

	/* Look at the store until every poll is recorded, or time is up. */
	tty = isatty(STDERR_FILENO);
	deadline = cli_mono_ms() + timeout;
	for (;;) {
		if ((ndone = cli_wait_look(st, w, nw, since)) < 0) {
			rc = EXIT_USER;
			goto out;
		}
		if (tty)
			fprintf(stderr, "\rrefresh: %zd/%zu feeds polled",
			    ndone, nw);
		if ((size_t)ndone == nw || cli_mono_ms() >= deadline)
			break;
		usleep(REFRESH_TICK_MS * 1000);
	}
	if (tty)
		fprintf(stderr, "\n");

	if (cli->json) {
		if ((arr = json_array()) == NULL)
			fatalx("out of memory");
	} else
		table_init(&t, 4, headers, flags);
	for (i = 0; i < nw; i++) {
		result = cli_wait_result(&w[i]);
		if (cli_wait_failed(&w[i]))
			nfailed++;
		if (cli->json) {
			if ((o = json_object()) == NULL)
				fatalx("out of memory");
			cli_jset(o, "id", json_integer(w[i].id));
			cli_jset(o, "label", cli_jstr(w[i].label));
			cli_jset(o, "polled", json_boolean(w[i].done &&
			    w[i].after != NULL));
			cli_jset(o, "status", cli_jstr(w[i].after != NULL ?
			    w[i].after->status : NULL));
			cli_jset(o, "http_status", w[i].after != NULL &&
			    w[i].after->http_status > 0 ?
			    json_integer(w[i].after->http_status) :
			    json_null());
			cli_jset(o, "error", cli_jstr(w[i].after != NULL ?
			    w[i].after->error : NULL));
			cli_jset(o, "new_entries",
			    json_integer(cli_wait_new(&w[i])));
			cli_jset(o, "result", cli_jstr(result));
			cli_jappend(arr, o);
		} else {
			snprintf(id, sizeof id, "%" PRId64, w[i].id);
			snprintf(newc, sizeof newc, "%" PRId64,
			    cli_wait_new(&w[i]));
			cells[0] = id;
			cells[1] = w[i].label;
			cells[2] = newc;
			cells[3] = result;
			table_add(&t, cells, NULL);
		}
		free(result);
	}
	if (cli->json)
		cli_jprint(arr);
	else {
		table_print(&t, cli->termwidth);
		table_free(&t);
	}
	if ((size_t)ndone < nw) {
		cli_warnx("refresh: %zu of %zu feeds not polled within %s",
		    nw - (size_t)ndone, nw, cli_dur(timeout, dur, sizeof dur));
		rc = EXIT_USER;
	} else if (nfailed > 0) {
		cli_warnx("refresh: %zu of %zu feeds failed", nfailed, nw);
		rc = EXIT_USER;
	}
out:
	for (i = 0; i < nw; i++) {
		free(w[i].label);
		store_feed_free(w[i].after);
	}
	free(w);
	json_decref(arr);
	store_feeds_free(feeds, nfeeds);
	store_feed_free(feed);
	store_close(st);
	free(request);
	free(cause);
	conf_free(conf);
	return (rc);
}

/* parse FILE: the normalized view of a feed file; no config, no store. */
static int
verb_parse(struct cli *cli)
{
	const char	*path = cli->args[1];
	struct feed_doc	*doc = NULL;
	struct buf	 b;
	char		*data = NULL, *cause = NULL, *json, *s;
	size_t		 len;
	int		 rc;

	if ((rc = cli_read_file(path, &data, &len)) != EXIT_OK)
		goto out;
	if ((doc = parse_buffer(data, len, NULL, &cause)) == NULL) {
		if (cause != NULL && strncmp(cause, "not a feed", 10) == 0)
			cli_warnx("%s: %s", path, cause);
		else
			cli_warnx("%s: not a feed: %s", path,
			    cause != NULL ? cause : "unreadable");
		rc = EXIT_USER;
		goto out;
	}
	if (cli->json) {
		json = parse_doc_json(doc);
		cli_puts(json);
		if (*json == '\0' || json[strlen(json) - 1] != '\n')
			cli_puts("\n");
		free(json);
		goto out;
	}
	buf_init(&b);
	s = cli_clean(path, CLEAN_LINE);
	buf_printf(&b, "file: %s\n", s);
	free(s);
	buf_printf(&b, "format: %s\n", feed_format_name(doc->format));
	s = cli_clean(doc->meta.title != NULL ? doc->meta.title : "",
	    CLEAN_LINE);
	buf_printf(&b, "title: %s\n", s);
	free(s);
	buf_printf(&b, "entries: %zu\n", doc->nentries);
	if (doc->malformed != NULL) {
		s = cli_clean(doc->malformed, CLEAN_LINE);
		buf_printf(&b, "malformed: %s\n", s);
		free(s);
	}
	cli_write(b.data, b.len);
	buf_free(&b);
out:
	feed_doc_free(doc);
	free(data);
	free(cause);
	return (rc);
}

/* check-config: load the configuration and say what is wrong, if any. */
static int
verb_check_config(struct cli *cli)
{
	struct conf	*conf = NULL;
	struct buf	 b;
	char		*s;
	int		 rc;

	if ((rc = cli_conf(cli, &conf)) != EXIT_OK)
		return (rc);
	buf_init(&b);
	s = cli_clean(cli->conf_path, CLEAN_LINE);
	buf_printf(&b, "%s: ok (%zu feed%s)\n", s, conf->nfeeds,
	    conf->nfeeds == 1 ? "" : "s");
	free(s);
	cli_write(b.data, b.len);
	buf_free(&b);
	conf_free(conf);
	return (EXIT_OK);
}

/* help: the usage text on stdout. */
static int
verb_help(struct cli *cli)
{
	const char	*name, *line, *end, *p;
	char		*copy;
	size_t		 len;
	int		 in = 0, any = 0;

	if (cli->nargs < 2) {
		cli_usage();
		return (EXIT_OK);
	}
	/*
	 * The usage text is the one place verbs are described: print the
	 * verb's entry from it, with its continuation lines. An entry line
	 * is indented by two spaces and names one verb, or several split
	 * by ", ".
	 */
	name = cli->args[1];
	len = strlen(name);
	for (line = cli_usage_text; (end = strchr(line, '\n')) != NULL;
	    line = end + 1) {
		if (strncmp(line, "options:", 8) == 0)
			break;
		if (strncmp(line, "  ", 2) == 0 && line[2] != ' ') {
			in = 0;
			for (p = line + 2; p + len <= end; p++) {
				if ((p == line + 2 || strncmp(p - 2, ", ", 2) ==
				    0) && strncmp(p, name, len) == 0 &&
				    (p + len == end || p[len] == ' ' ||
				    p[len] == ',')) {
					in = 1;
					break;
				}
			}
		} else if (strncmp(line, "    ", 4) != 0)
			in = 0;
		if (in) {
			copy = xstrndup(line, end - line + 1);
			cli_puts(copy);
			free(copy);
			any = 1;
		}
	}
	if (!any)
		return (cli_usage_error("help: unknown verb: %.64s", name));
	return (EXIT_OK);
}

/*
 * Open the store to write. With create, a missing database is made (a
 * feed added before feedmuxd ever ran); otherwise it is an error.
 * Returns EXIT_OK or EXIT_USER (printed).
 */
static int
cli_store_rw(const struct conf *conf, int create, struct store **st)
{
	struct stat	 sb;
	char		*cause = NULL;

	if (!create && stat(conf->database, &sb) == -1) {
		cli_warnx("%s: %s", conf->database, strerror(errno));
		return (EXIT_USER);
	}
	if ((*st = store_open(conf->database, 0, &cause)) == NULL) {
		cli_warnx("%s", cause != NULL ? cause : conf->database);
		free(cause);
		return (EXIT_USER);
	}
	return (EXIT_OK);
}

/* Find a FEED argument. Returns EXIT_OK with *fp, or EXIT_USER. */
static int
cli_find_feed(struct store *st, const char *key, struct store_feed **fp)
{
	char	*cause = NULL;

	*fp = NULL;
	if (store_feed_find(st, key, fp, &cause) != 0) {
		cli_warnx("%s", cause);
		free(cause);
		return (EXIT_USER);
	}
	if (*fp == NULL) {
		cli_warnx("no feed %.200s", key);
		return (EXIT_USER);
	}
	return (EXIT_OK);
}

/*
 * Ask a running daemon to poll a feed now, so a change applies at once.
 * A daemon that is not running is no error: it reads the store when it
 * starts. It is said on stderr, though.
 */
static void
cli_tell_daemon(const struct conf *conf, int64_t id)
{
	char	*request, *cause = NULL;

	xasprintf(&request, "refresh %" PRId64, id);
	if (server_control_send(conf->control, request, &cause) != 0) {
		cli_warnx("note: the daemon was not told (%s); it picks the "
		    "change up when it starts", cause != NULL ? cause :
		    "no answer");
		free(cause);
	}
	free(request);
}

/*
 * The --label, --category and --interval options of add and edit.
 * Returns EXIT_OK or EXIT_USAGE (printed).
 */
static int
cli_feed_edit(struct cli *cli, const char *verb, struct store_feed_edit *ed)
{
	memset(ed, 0, sizeof *ed);
	ed->interval = -1;
	if (cli->label != NULL) {
		if (*cli->label != '\0' && !cli_arg_ok(cli->label))
			return (cli_usage_error("%s: --label: not a label: "
			    "'%.32s'", verb, cli->label));
		ed->label = cli->label;
	}
	if (cli->category != NULL) {
		if (!cli_arg_ok(cli->category))
			return (cli_usage_error("%s: --category: not a "
			    "category: '%.32s'", verb, cli->category));
		ed->category = cli->category;
	}
	if (cli->interval != NULL && (conf_parse_duration(cli->interval,
	    &ed->interval) != 0 || ed->interval > 365LL * 86400 * 1000))
		return (cli_usage_error("%s: --interval: not a duration (0, or "
		    "a number with ms, s, m, h or d): '%.32s'", verb,
		    cli->interval));
	return (EXIT_OK);
}

/*
 * add URL: subscribe. The URL's syntax is checked (an absolute http or
 * https URL; file:// where allow_file is set); it is not fetched here:
 * the daemon polls it at once and `feeds` shows how that went.
 */
static int
verb_add(struct cli *cli)
{
	const char		*url = cli->args[1];
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_feed_edit	 ed;
	char			*cause = NULL, *shown;
	int64_t			 id = 0;
	int			 rc;

	if ((rc = cli_feed_edit(cli, "add", &ed)) != EXIT_OK)
		return (rc);
	if (!cli_arg_ok(url) || strpbrk(url, " ") != NULL)
		return (cli_usage_error("add: not a URL: '%.32s'", url));
	if ((rc = cli_conf(cli, &conf)) != EXIT_OK)
		goto out;
	if (!url_is_http(url) && !(conf->allow_file &&
	    strncmp(url, "file:///", 8) == 0)) {
		cli_warnx("add: %.200s: not an absolute http or https URL",
		    url);
		rc = EXIT_USER;
		goto out;
	}
	if ((rc = cli_store_rw(conf, 1, &st)) != EXIT_OK)
		goto out;
	if (ed.interval < 0)
		ed.interval = 0;
	if (store_feed_add(st, url, &ed, &id, &cause) != 0) {
		cli_warnx("add: %s", cause != NULL ? cause : "failed");
		rc = EXIT_USER;
		goto out;
	}
	shown = url_redact(url);
	printf("added feed %" PRId64 ": %s\n", id, shown);
	free(shown);
	cli_tell_daemon(conf, id);
out:
	free(cause);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* edit FEED [--label L] [--category C] [--interval I] */
static int
verb_edit(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_feed	*feed = NULL;
	struct store_feed_edit	 ed;
	char			*cause = NULL;
	int			 rc;

	if ((rc = cli_feed_edit(cli, "edit", &ed)) != EXIT_OK)
		return (rc);
	if (ed.label == NULL && ed.category == NULL && ed.interval < 0)
		return (cli_usage_error("edit: nothing to change (--label, "
		    "--category or --interval)"));
	if (!cli_arg_ok(cli->args[1]))
		return (cli_usage_error("edit: not a feed id, URL or label: "
		    "'%.32s'", cli->args[1]));
	if ((rc = cli_conf(cli, &conf)) != EXIT_OK)
		goto out;
	if ((rc = cli_store_rw(conf, 0, &st)) != EXIT_OK)
		goto out;
	if ((rc = cli_find_feed(st, cli->args[1], &feed)) != EXIT_OK)
		goto out;
	if (store_feed_edit(st, feed->id, &ed, &cause) != 0) {
		cli_warnx("edit: %s", cause != NULL ? cause : "failed");
		rc = EXIT_USER;
		goto out;
	}
	cli_tell_daemon(conf, feed->id);
out:
	free(cause);
	store_feed_free(feed);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* remove FEED */
static int
verb_remove(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_feed	*feed = NULL;
	char			*cause = NULL;
	int			 rc;

	if (!cli_arg_ok(cli->args[1]))
		return (cli_usage_error("remove: not a feed id, URL or label: "
		    "'%.32s'", cli->args[1]));
	if ((rc = cli_conf(cli, &conf)) != EXIT_OK)
		goto out;
	if ((rc = cli_store_rw(conf, 0, &st)) != EXIT_OK)
		goto out;
	if ((rc = cli_find_feed(st, cli->args[1], &feed)) != EXIT_OK)
		goto out;
	if (store_feed_remove(st, feed->id, &cause) != 0) {
		cli_warnx("remove: %s", cause != NULL ? cause : "failed");
		rc = EXIT_USER;
	}
out:
	free(cause);
	store_feed_free(feed);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* enable FEED, disable FEED */
static int
cli_feed_switch(struct cli *cli, int on)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_feed	*feed = NULL;
	char			*cause = NULL;
	int			 rc;

	if (!cli_arg_ok(cli->args[1]))
		return (cli_usage_error("%s: not a feed id, URL or label: "
		    "'%.32s'", cli->args[0], cli->args[1]));
	if ((rc = cli_conf(cli, &conf)) != EXIT_OK)
		goto out;
	if ((rc = cli_store_rw(conf, 0, &st)) != EXIT_OK)
		goto out;
	if ((rc = cli_find_feed(st, cli->args[1], &feed)) != EXIT_OK)
		goto out;
	if (store_feed_enable(st, feed->id, on, &cause) != 0) {
		cli_warnx("%s: %s", cli->args[0], cause != NULL ? cause :
		    "failed");
		rc = EXIT_USER;
		goto out;
	}
	if (on)
		cli_tell_daemon(conf, feed->id);
out:
	free(cause);
	store_feed_free(feed);
	store_close(st);
	conf_free(conf);
	return (rc);
}

static int
verb_enable(struct cli *cli)
{
	return (cli_feed_switch(cli, 1));
}

static int
verb_disable(struct cli *cli)
{
	return (cli_feed_switch(cli, 0));
}

/* remove-entry ID: for good; no feed brings it back. */
static int
verb_remove_entry(struct cli *cli)
{
	struct conf	*conf = NULL;
	struct store	*st = NULL;
	char		*cause = NULL;
	int64_t		 id;
	int		 rc, r;

	if (cli_number(cli->args[1], INT64_MAX, &id) != 0)
		return (cli_usage_error("remove-entry: not an entry id: "
		    "'%.32s'", cli->args[1]));
	if ((rc = cli_conf(cli, &conf)) != EXIT_OK)
		goto out;
	if ((rc = cli_store_rw(conf, 0, &st)) != EXIT_OK)
		goto out;
	if ((r = store_entry_remove(st, id, &cause)) == -1) {
		cli_warnx("remove-entry: %s", cause != NULL ? cause :
		    "failed");
		rc = EXIT_USER;
	} else if (r == 0) {
		cli_warnx("no entry %" PRId64, id);
		rc = EXIT_USER;
	}
out:
	free(cause);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* search QUERY [--limit N]: best match first, with snippets. */
static int
verb_search(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct stored_entry	**v = NULL;
	char			*cause = NULL;
	int64_t			 limit = LIMIT_DEFAULT;
	size_t			 n = 0;
	int			 rc, r;

	if (cli->limit != NULL && cli_number(cli->limit, LIMIT_MAX,
	    &limit) != 0)
		return (cli_usage_error("--limit: not a number from 0 to %lld:"
		    " '%.32s'", LIMIT_MAX, cli->limit));
	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	if ((r = store_search(st, cli->args[1], limit, &v, &n,
	    &cause)) != 0) {
		/* HOSTILE-53: a bad query is one line, exit 1. */
		cli_warnx("search: %s", cause != NULL ? cause : "failed");
		rc = EXIT_USER;
		goto out;
	}
	cli_entries_table(cli, v, n);
out:
	free(cause);
	stored_entries_free(v, n);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* stats: counts and sizes. */
static int
verb_stats(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_stats	 ss;
	struct buf		 b;
	json_t			*o;
	char			*cause = NULL, t1[DATE_BUFSZ];
	char			 t2[DATE_BUFSZ];
	int			 rc;

	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	if (store_stats(st, &ss, &cause) != 0) {
		cli_warnx("%s", cause);
		rc = EXIT_USER;
		goto out;
	}
	if (cli->json) {
		if ((o = json_object()) == NULL)
			fatalx("out of memory");
		cli_jset(o, "database", cli_jstr(conf->database));
		cli_jset(o, "schema_version",
		    json_integer(ss.schema_version));
		cli_jset(o, "feeds", json_integer(ss.feeds));
		cli_jset(o, "feeds_enabled", json_integer(ss.feeds_enabled));
		cli_jset(o, "entries", json_integer(ss.entries));
		cli_jset(o, "sources", json_integer(ss.sources));
		cli_jset(o, "shared", json_integer(ss.shared));
		cli_jset(o, "tombstones", json_integer(ss.tombstones));
		cli_jset(o, "oldest", cli_jtime(ss.oldest));
		cli_jset(o, "newest", cli_jtime(ss.newest));
		cli_jset(o, "bytes", json_integer(ss.bytes));
		cli_jprint(o);
		json_decref(o);
		goto out;
	}
	buf_init(&b);
	buf_printf(&b, "schema version:  %" PRId64 "\n", ss.schema_version);
	buf_printf(&b, "feeds:           %" PRId64 " (%" PRId64
	    " enabled)\n", ss.feeds, ss.feeds_enabled);
	buf_printf(&b, "entries:         %" PRId64 " (%" PRId64
	    " from several feeds)\n", ss.entries, ss.shared);
	buf_printf(&b, "sources:         %" PRId64 "\n", ss.sources);
	buf_printf(&b, "removed for good: %" PRId64 "\n", ss.tombstones);
	buf_printf(&b, "dates:           %s to %s\n",
	    cli_time_short(ss.oldest, t1), cli_time_short(ss.newest, t2));
	buf_printf(&b, "size:            %.1f MiB\n",
	    (double)ss.bytes / (1024 * 1024));
	cli_write(b.data, b.len);
	buf_free(&b);
out:
	free(cause);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* check: integrity and consistency; exit 1 if anything is wrong. */
static int
verb_check(struct cli *cli)
{
	struct conf	 *conf = NULL;
	struct store	 *st = NULL;
	json_t		 *o, *arr;
	char		**v = NULL, *cause = NULL, *s;
	size_t		  n = 0, i;
	int		  rc;

	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	if (store_check(st, &v, &n, &cause) != 0) {
		cli_warnx("%s", cause);
		rc = EXIT_USER;
		goto out;
	}
	if (cli->json) {
		if ((o = json_object()) == NULL || (arr = json_array()) == NULL)
			fatalx("out of memory");
		for (i = 0; i < n; i++)
			cli_jappend(arr, cli_jstr(v[i]));
		cli_jset(o, "ok", json_boolean(n == 0));
		cli_jset(o, "problems", arr);
		cli_jprint(o);
		json_decref(o);
	} else if (n == 0) {
		s = cli_clean(conf->database, CLEAN_LINE);
		printf("%s: ok\n", s);
		free(s);
	} else {
		for (i = 0; i < n; i++) {
			s = cli_clean(v[i], CLEAN_LINE);
			printf("%s\n", s);
			free(s);
		}
	}
	if (n != 0) {
		cli_warnx("%s: %zu problem%s found", conf->database, n,
		    n == 1 ? "" : "s");
		rc = EXIT_USER;
	}
out:
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(cause);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* prune: retention now, with the configuration's keep_* values. */
static int
verb_prune(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_retention	 ret;
	json_t			*o;
	char			*cause = NULL;
	int64_t			 nsources = 0, nentries = 0;
	int			 rc;

	if ((rc = cli_conf(cli, &conf)) != EXIT_OK)
		goto out;
	if ((rc = cli_store_rw(conf, 0, &st)) != EXIT_OK)
		goto out;
	ret.keep_days = conf->keep_days;
	ret.keep_per_feed = conf->keep_per_feed;
	if (store_prune(st, &ret, time(NULL), 0, &nsources, &nentries,
	    &cause) != 0) {
		cli_warnx("prune: %s", cause != NULL ? cause : "failed");
		rc = EXIT_USER;
	}
	if (cli->json) {
		if ((o = json_object()) == NULL)
			fatalx("out of memory");
		cli_jset(o, "entries", json_integer(nentries));
		cli_jset(o, "sources", json_integer(nsources));
		cli_jprint(o);
		json_decref(o);
	} else
		printf("pruned %" PRId64 " entr%s (%" PRId64 " source%s)\n",
		    nentries, nentries == 1 ? "y" : "ies", nsources,
		    nsources == 1 ? "" : "s");
out:
	free(cause);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* export: the feeds as OPML 2.0, one outline per category. */
static int
verb_export(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_feed	**v = NULL, *f;
	struct buf		 b;
	char			*cause = NULL, *label, *url, when[DATE_BUFSZ];
	size_t			 n = 0, i, j;
	int			 rc, seen;

	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	if (store_feeds(st, &v, &n, &cause) != 0) {
		cli_warnx("%s", cause);
		rc = EXIT_USER;
		goto out;
	}
	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<opml version=\"2.0\">\n<head>\n<title>");
	buf_add_xml(&b, conf->title);
	buf_printf(&b, "</title>\n<dateCreated>%s</dateCreated>\n</head>\n"
	    "<body>\n", date_rfc822(time(NULL), when));
	/* Categories in order of first appearance, feeds by id in each. */
	for (i = 0; i < n; i++) {
		seen = 0;
		for (j = 0; j < i && !seen; j++)
			seen = strcmp(v[j]->category, v[i]->category) == 0;
		if (seen)
			continue;
		buf_adds(&b, "<outline text=\"");
		buf_add_xml(&b, v[i]->category);
		buf_adds(&b, "\">\n");
		for (j = i; j < n; j++) {
			f = v[j];
			if (strcmp(f->category, v[i]->category) != 0)
				continue;
			label = cli_feed_label(f);
			/* HOSTILE-45: no credentials on stdout. */
			url = url_redact(f->fetch_url != NULL ? f->fetch_url :
			    f->url);
			buf_adds(&b, "  <outline type=\"rss\" text=\"");
			buf_add_xml(&b, label);
			buf_adds(&b, "\" title=\"");
			buf_add_xml(&b, label);
			buf_adds(&b, "\" xmlUrl=\"");
			buf_add_xml(&b, url);
			buf_adds(&b, "\"");
			if (f->site != NULL) {
				buf_adds(&b, " htmlUrl=\"");
				buf_add_xml(&b, f->site);
				buf_adds(&b, "\"");
			}
			buf_adds(&b, "/>\n");
			free(label);
			free(url);
		}
		buf_adds(&b, "</outline>\n");
	}
	buf_adds(&b, "</body>\n</opml>\n");
	cli_write(b.data, b.len);
	buf_free(&b);
out:
	free(cause);
	store_feeds_free(v, n);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* An attribute of an OPML element, or NULL. Caller frees. */
static char *
opml_attr(xmlNode *n, const char *name)
{
	xmlChar	*v;
	char	*s;

	if ((v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return (NULL);
	s = xstrdup((const char *)v);
	xmlFree(v);
	return (s);
}

/* How many feed outlines (with xmlUrl) there are, for progress. */
static size_t
opml_count(xmlNode *n, int depth)
{
	xmlNode	*c;
	size_t	 k = 0;

	if (depth > OPML_DEPTH_MAX)
		return (0);
	for (c = n; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlHasProp(c, (const xmlChar *)"xmlUrl") != NULL)
			k++;
		k += opml_count(c->children, depth + 1);
	}
	return (k);
}

/*
 * Subscribe to every outline with an xmlUrl under n. The category is the
 * text of the enclosing outline without one, else the outline's own
 * category attribute (its first, without the leading /).
 */
static void
opml_walk(xmlNode *n, const char *category, int depth, struct store *st,
    const struct conf *conf, size_t *added, size_t *known, size_t *bad,
    size_t total)
{
	struct store_feed_edit	 ed;
	xmlNode			*c;
	char			*url, *text, *cat, *cause = NULL, *p;
	int64_t			 id;

	if (depth > OPML_DEPTH_MAX)
		return;
	for (c = n; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(c->name, (const xmlChar *)"outline") != 0) {
			opml_walk(c->children, category, depth + 1, st, conf,
			    added, known, bad, total);
			continue;
		}
		text = opml_attr(c, "text");
		if (text == NULL || *text == '\0') {
			free(text);
			text = opml_attr(c, "title");
		}
		if ((url = opml_attr(c, "xmlUrl")) == NULL) {
			opml_walk(c->children, text != NULL && *text != '\0' ?
			    text : category, depth + 1, st, conf, added, known,
			    bad, total);
			free(text);
			continue;
		}
		cat = NULL;
		if (category == NULL &&
		    (cat = opml_attr(c, "category")) != NULL) {
			p = cat + strspn(cat, "/");
			p[strcspn(p, ",")] = '\0';
			memmove(cat, p, strlen(p) + 1);
		}
		memset(&ed, 0, sizeof ed);
		ed.label = text != NULL && cli_arg_ok(text) ? text : NULL;
		ed.category = category != NULL ? category : cat;
		if (ed.category != NULL && !cli_arg_ok(ed.category))
			ed.category = NULL;
		if (!cli_arg_ok(url) || (!url_is_http(url) &&
		    !(conf->allow_file && strncmp(url, "file:///", 8) == 0))) {
			p = url_redact(url);
			cli_warnx("import: skipped %.200s: not an http or "
			    "https URL", p);
			free(p);
			(*bad)++;
		} else if (store_feed_add(st, url, &ed, &id, &cause) == 0)
			(*added)++;
		else {
			(*known)++;
			free(cause);
			cause = NULL;
		}
		if (isatty(STDERR_FILENO) && total > 0)
			fprintf(stderr, "\rimporting: %zu/%zu",
			    *added + *known + *bad, total);
		free(cat);
		free(url);
		free(text);
	}
}

/*
 * import OPML: subscribe to its feeds (origin "cli"); URLs already
 * subscribed are left as they are. The file is read with libxml2 without
 * network access, DTD loading or entity substitution.
 */
static int
verb_import(struct cli *cli)
{
	const char	*path = cli->args[1];
	struct conf	*conf = NULL;
	struct store	*st = NULL;
	xmlDoc		*doc = NULL;
	xmlNode		*root;
	char		*data = NULL, *cause = NULL;
	size_t		 len, added = 0, known = 0, bad = 0, total;
	int		 rc;

	if ((rc = cli_conf(cli, &conf)) != EXIT_OK)
		goto out;
	if ((rc = cli_read_file(path, &data, &len)) != EXIT_OK)
		goto out;
	if (len > OPML_MAX || len > INT32_MAX) {
		cli_warnx("%s: larger than %d MiB", path,
		    OPML_MAX / (1024 * 1024));
		rc = EXIT_USER;
		goto out;
	}
	doc = xmlReadMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL ||
	    xmlStrcmp(root->name, (const xmlChar *)"opml") != 0) {
		cli_warnx("%s: not an OPML document", path);
		rc = EXIT_USER;
		goto out;
	}
	if ((rc = cli_store_rw(conf, 1, &st)) != EXIT_OK)
		goto out;
	total = opml_count(root->children, 0);
	opml_walk(root->children, NULL, 0, st, conf, &added, &known, &bad,
	    total);
	if (isatty(STDERR_FILENO) && total > 0)
		fprintf(stderr, "\n");
	printf("imported %zu feed%s (%zu already there, %zu skipped)\n",
	    added, added == 1 ? "" : "s", known, bad);
	if (added > 0 && server_control_send(conf->control, "refresh",
	    &cause) != 0)
		cli_warnx("note: the daemon was not told (%s); it picks the "
		    "feeds up when it starts", cause != NULL ? cause :
		    "no answer");
out:
	free(cause);
	xmlFreeDoc(doc);
	free(data);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/*
 * A duration for people: "500 ms", "12 s", "1.5 s", "30 min",
 * "1 h 30 min", "2 d 3 h"; rounded to what the unit shows.
 */
static char *
cli_dur(int64_t ms, char *buf, size_t len)
{
	int64_t	s, v;

	if (ms < 0)
		ms = -ms;
	if (ms < 1000) {
		snprintf(buf, len, "%lld ms", (long long)ms);
		return (buf);
	}
	if (ms < 10000 && ms % 1000 != 0) {
		snprintf(buf, len, "%lld.%lld s", (long long)(ms / 1000),
		    (long long)(ms % 1000 / 100));
		return (buf);
	}
	s = (ms + 500) / 1000;
	if (s < 60)
		snprintf(buf, len, "%lld s", (long long)s);
	else if (s < 3600) {
		v = s % 60;
		if (v != 0 && s < 600)
			snprintf(buf, len, "%lld min %lld s",
			    (long long)(s / 60), (long long)v);
		else
			snprintf(buf, len, "%lld min",
			    (long long)((s + 30) / 60));
	} else if (s < 86400) {
		v = (s % 3600 + 30) / 60;
		if (v == 60)
			snprintf(buf, len, "%lld h", (long long)(s / 3600 + 1));
		else if (v != 0)
			snprintf(buf, len, "%lld h %lld min",
			    (long long)(s / 3600), (long long)v);
		else
			snprintf(buf, len, "%lld h", (long long)(s / 3600));
	} else {
		v = (s % 86400 + 1800) / 3600;
		if (v == 24)
			snprintf(buf, len, "%lld d", (long long)(s / 86400 + 1));
		else if (v != 0)
			snprintf(buf, len, "%lld d %lld h",
			    (long long)(s / 86400), (long long)v);
		else
			snprintf(buf, len, "%lld d", (long long)(s / 86400));
	}
	return (buf);
}

/* "2026-11-28 05:10 UTC (in 12 min)", or "(3 min ago)". */
static void
cli_when(struct buf *b, int64_t t, int64_t now)
{
	char	when[DATE_BUFSZ], d[32];

	buf_printf(b, "%s UTC", cli_time_short(t, when));
	if (t > now)
		buf_printf(b, " (in %s)", cli_dur((t - now) * 1000, d,
		    sizeof d));
	else if (t < now)
		buf_printf(b, " (%s ago)", cli_dur((now - t) * 1000, d,
		    sizeof d));
	else
		buf_printf(b, " (now)");
}

/*
 * Why, after a success: the interval, lengthened by the publisher's
 * hints, within min_interval and max_interval, moved past skipped
 * hours and days, spread by jitter (the arithmetic of
 * sched_plan_delay).
 */
static void
cli_explain_ok(struct buf *b, const struct store_feed *f)
{
	const char	*names[3] = { "the publisher's <ttl>",
			    "the publisher's sy:updatePeriod",
			    "the server's Cache-Control max-age (or Expires)" };
	int64_t		 hint[3], d, nominal;
	char		 t1[32], t2[32];
	int		 i, won = 0;

	d = f->plan_interval > 0 ? f->plan_interval : 0;
	buf_printf(b, "the feed's interval is %s", cli_dur(d, t1, sizeof t1));
	hint[0] = f->ttl > 0 ? f->ttl * 60000 : -1;
	hint[1] = f->update_period > 0 ? f->update_period * 1000 : -1;
	hint[2] = f->max_age >= 0 ? f->max_age * 1000 : -1;
	for (i = 0; i < 3; i++) {
		if (hint[i] < 0)
			continue;
		if (hint[i] > d) {
			buf_printf(b, "; %s of %s asks for less often",
			    names[i], cli_dur(hint[i], t1, sizeof t1));
			d = hint[i];
			won = 1;
		} else
			buf_printf(b, "; %s of %s is not longer, so it does "
			    "not change it", names[i], cli_dur(hint[i], t1,
			    sizeof t1));
	}
	if (won)
		buf_printf(b, ", so %s", cli_dur(d, t1, sizeof t1));
	if (f->plan_min > 0 && d < f->plan_min &&
	    (f->plan_max <= 0 || f->plan_min <= f->plan_max)) {
		d = f->plan_min;
		buf_printf(b, " (raised to min_interval %s)",
		    cli_dur(d, t1, sizeof t1));
	}
	if (f->plan_max > 0 && d > f->plan_max) {
		d = f->plan_max;
		buf_printf(b, " (clamped to max_interval %s)",
		    cli_dur(d, t1, sizeof t1));
	}
	nominal = d;
	if (f->plan != NULL && (strcmp(f->plan, "skipHours") == 0 ||
	    strcmp(f->plan, "skipDays") == 0)) {
		buf_printf(b, "; the publisher's %s rules that time out, so "
		    "%s", f->plan, cli_dur(f->plan_delay, t1, sizeof t1));
		return;
	}
	if (f->plan != NULL && strcmp(f->plan, "max_interval") == 0 &&
	    nominal != f->plan_delay && f->plan_delay == f->plan_max) {
		buf_printf(b, "; skipped hours and days would pass "
		    "max_interval, so %s", cli_dur(f->plan_delay, t1,
		    sizeof t1));
		return;
	}
	if (f->plan_delay > nominal)
		buf_printf(b, ", plus %s of jitter", cli_dur(f->plan_delay -
		    nominal, t2, sizeof t2));
	else if (f->plan_delay >= 0 && f->plan_delay < nominal)
		buf_printf(b, ", less %s of jitter", cli_dur(nominal -
		    f->plan_delay, t2, sizeof t2));
}

/* Why the next poll is when it is, as a sentence after "next poll". */
static void
cli_explain_plan(struct buf *b, const struct store_feed *f)
{
	char	t1[32], t2[32], *err;
	int64_t	backoff;

	if (f->plan == NULL) {
		buf_printf(b, "the reason was not recorded (planned by a "
		    "feedmuxd older than schema version 4)");
		return;
	}
	if (strcmp(f->plan, "spread") == 0) {
		buf_printf(b, "feedmuxd started with many feeds due at once "
		    "and spreads them over a few seconds, so that it does not "
		    "open every connection at once; this one waits %s",
		    cli_dur(f->plan_delay, t1, sizeof t1));
		return;
	}
	if (strcmp(f->plan, "refresh") == 0) {
		buf_printf(b, "a refresh was asked for");
		return;
	}
	if (f->error_count > 0 && f->error != NULL) {
		err = cli_clean(f->error, CLEAN_LINE);
		backoff = sched_backoff(f->plan_min > 0 && f->plan_interval <
		    f->plan_min ? f->plan_min : f->plan_interval,
		    f->error_count, f->plan_max);
		buf_printf(b, "backing off after %d failure%s in a row "
		    "(last: %s): the interval of %s doubled per failure is "
		    "%s, shortened by up to 10%% of jitter", f->error_count,
		    f->error_count == 1 ? "" : "s", err,
		    cli_dur(f->plan_interval, t1, sizeof t1),
		    cli_dur(backoff, t2, sizeof t2));
		free(err);
		if (f->retry_after >= 0) {
			buf_printf(b, "; Retry-After asked for %s, ",
			    cli_dur(f->retry_after * 1000, t1, sizeof t1));
			if (strcmp(f->plan, "Retry-After") == 0)
				buf_printf(b, "honoured (longer than the "
				    "backoff)");
			else if (strcmp(f->plan, "max_interval") == 0)
				buf_printf(b, "more than max_interval allows");
			else
				buf_printf(b, "the backoff is longer");
		}
		if (strcmp(f->plan, "max_interval") == 0)
			buf_printf(b, "; capped at max_interval %s",
			    cli_dur(f->plan_max, t1, sizeof t1));
		buf_printf(b, "; so %s", cli_dur(f->plan_delay, t1,
		    sizeof t1));
		if (f->status != NULL && strcmp(f->status, "refused") == 0)
			buf_printf(b, " (the address policy refuses this feed: "
			    "allow_private, allow_file)");
		return;
	}
	cli_explain_ok(b, f);
}

/* The publisher's hints on one line. */
static void
cli_explain_hints(struct buf *b, const struct store_feed *f)
{
	static const char	*days[7] = { "Sunday", "Monday", "Tuesday",
				    "Wednesday", "Thursday", "Friday",
				    "Saturday" };
	char			 t[32];
	int			 i, any = 0, first;

	buf_printf(b, "publisher hints: ");
	if (f->ttl > 0) {
		buf_printf(b, "<ttl> %s", cli_dur(f->ttl * 60000, t, sizeof t));
		any = 1;
	}
	if (f->update_period > 0) {
		buf_printf(b, "%ssy:updatePeriod %s", any ? "; " : "",
		    cli_dur(f->update_period * 1000, t, sizeof t));
		any = 1;
	}
	if (f->skip_hours != 0) {
		buf_printf(b, "%sskipHours", any ? "; " : "");
		first = 1;
		for (i = 0; i < 24; i++) {
			if (f->skip_hours & (1U << i)) {
				buf_printf(b, "%s%d", first ? " " : ",", i);
				first = 0;
			}
		}
		buf_printf(b, " (UTC)");
		any = 1;
	}
	if (f->skip_days != 0) {
		buf_printf(b, "%sskipDays", any ? "; " : "");
		first = 1;
		for (i = 0; i < 7; i++) {
			if (f->skip_days & (1U << i)) {
				buf_printf(b, "%s%s", first ? " " : ", ",
				    days[i]);
				first = 0;
			}
		}
		any = 1;
	}
	if (f->max_age >= 0) {
		buf_printf(b, "%sCache-Control max-age (or Expires) %s",
		    any ? "; " : "", cli_dur(f->max_age * 1000, t, sizeof t));
		any = 1;
	}
	if (f->retry_after >= 0) {
		buf_printf(b, "%sRetry-After %s", any ? "; " : "",
		    cli_dur(f->retry_after * 1000, t, sizeof t));
		any = 1;
	}
	if (!any)
		buf_printf(b, "none");
	buf_printf(b, "\n");
}

/* The JSON of explain: the figures, and the sentence. */
static json_t *
cli_explain_json(const struct store_feed *f, const char *why, int64_t now)
{
	static const char	*days[7] = { "Sunday", "Monday", "Tuesday",
				    "Wednesday", "Thursday", "Friday",
				    "Saturday" };
	json_t			*o, *h, *pl, *a;
	int			 i;

	if ((o = json_object()) == NULL || (h = json_object()) == NULL ||
	    (pl = json_object()) == NULL)
		fatalx("out of memory");
	cli_jset(o, "id", json_integer(f->id));
	cli_jset(o, "url", cli_jstr(f->url));
	cli_jset(o, "fetch_url", f->fetch_url != NULL &&
	    strcmp(f->fetch_url, f->url) != 0 ? cli_jstr(f->fetch_url) :
	    json_null());
	cli_jset(o, "label", cli_jstr(f->label != NULL && *f->label != '\0' ?
	    f->label : f->title));
	cli_jset(o, "enabled", json_boolean(f->enabled));
	cli_jset(o, "status", cli_jstr(f->status));
	cli_jset(o, "next_poll", cli_jtime(f->next_poll));
	cli_jset(o, "next_poll_in", f->next_poll != TIME_NONE ?
	    json_integer(f->next_poll - now) : json_null());
	cli_jset(o, "reason", cli_jstr(f->plan));
	cli_jset(o, "explanation", cli_jstr(why));
	cli_jset(pl, "at", cli_jtime(f->plan_at));
	cli_jset(pl, "delay_ms", f->plan_delay >= 0 ?
	    json_integer(f->plan_delay) : json_null());
	cli_jset(pl, "interval_ms", f->plan_interval >= 0 ?
	    json_integer(f->plan_interval) : json_null());
	cli_jset(pl, "min_interval_ms", f->plan_min >= 0 ?
	    json_integer(f->plan_min) : json_null());
	cli_jset(pl, "max_interval_ms", f->plan_max >= 0 ?
	    json_integer(f->plan_max) : json_null());
	cli_jset(o, "plan", pl);
	cli_jset(h, "ttl_minutes", f->ttl >= 0 ? json_integer(f->ttl) :
	    json_null());
	cli_jset(h, "update_period_seconds", f->update_period >= 0 ?
	    json_integer(f->update_period) : json_null());
	if ((a = json_array()) == NULL)
		fatalx("out of memory");
	for (i = 0; i < 24; i++) {
		if (f->skip_hours & (1U << i))
			cli_jappend(a, json_integer(i));
	}
	cli_jset(h, "skip_hours", a);
	if ((a = json_array()) == NULL)
		fatalx("out of memory");
	for (i = 0; i < 7; i++) {
		if (f->skip_days & (1U << i))
			cli_jappend(a, cli_jstr(days[i]));
	}
	cli_jset(h, "skip_days", a);
	cli_jset(h, "max_age_seconds", f->max_age >= 0 ?
	    json_integer(f->max_age) : json_null());
	cli_jset(h, "retry_after_seconds", f->retry_after >= 0 ?
	    json_integer(f->retry_after) : json_null());
	cli_jset(o, "hints", h);
	cli_jset(o, "last_fetch", cli_jtime(f->last_fetch));
	cli_jset(o, "http_status", f->http_status > 0 ?
	    json_integer(f->http_status) : json_null());
	cli_jset(o, "etag", cli_jstr(f->etag));
	cli_jset(o, "last_modified", cli_jstr(f->last_modified));
	cli_jset(o, "error_count", json_integer(f->error_count));
	cli_jset(o, "error", cli_jstr(f->error));
	return (o);
}

/*
 * explain FEED: when the feed is polled next and why, in sentences,
 * from what feedmuxd stored with the last poll (or the start-up
 * spread); its last status, validators and errors.
 */
static int
verb_explain(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct store_feed	*f = NULL;
	struct buf		 b, why, out;
	json_t			*o;
	char			*label, *url, *s, *v, *cleaned;
	const char		*key = cli->args[1];
	int64_t			 now;
	int			 rc;

	buf_init(&b);
	buf_init(&why);
	buf_init(&out);
	if (!cli_arg_ok(key)) {
		rc = cli_usage_error("explain: not a feed id, URL or label: "
		    "'%.32s'", key);
		goto out;
	}
	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	if ((rc = cli_find_feed(st, key, &f)) != EXIT_OK)
		goto out;
	now = time(NULL);

	/* The sentence: when, and why. */
	if (!f->enabled && f->status != NULL &&
	    strcmp(f->status, "disabled") == 0)
		buf_printf(&why, "no polls: disabled by the user (feedmux "
		    "enable polls it again)");
	else if (f->status != NULL && strcmp(f->status, "gone") == 0)
		buf_printf(&why, "no more polls: the server answered 410 Gone "
		    "(feedmux enable polls it again)");
	else if (!f->enabled)
		buf_printf(&why, "no polls: the configuration no longer "
		    "declares this feed");
	else if (f->next_poll == TIME_NONE || (f->status != NULL &&
	    strcmp(f->status, "new") == 0 && (f->plan == NULL ||
	    strcmp(f->plan, "spread") != 0))) {
		buf_printf(&why, "due now: never polled; feedmuxd polls it as "
		    "soon as it runs (spread over a few seconds when many "
		    "feeds are due)");
	} else {
		buf_printf(&why, "next poll ");
		cli_when(&why, f->next_poll, now);
		buf_printf(&why, ": ");
		cli_explain_plan(&why, f);
		if (f->next_poll < now)
			buf_printf(&why, "; that time has passed: feedmuxd "
			    "polls it as soon as it runs");
	}
	buf_addc(&why, '\0');

	if (cli->json) {
		o = cli_explain_json(f, why.data, now);
		cli_jprint(o);
		json_decref(o);
		goto out;
	}

	/* One line each: what the feed or server sent has no breaks. */
	s = cli_feed_label(f);
	label = cli_clean(s, CLEAN_LINE);
	free(s);
	s = url_redact(f->fetch_url != NULL ? f->fetch_url : f->url);
	url = cli_clean(s, CLEAN_LINE);
	free(s);
	buf_printf(&b, "feed %" PRId64 " %s: %s\n", f->id, label, url);
	free(label);
	free(url);
	buf_printf(&b, "%s.\n", why.data);
	buf_printf(&b, "status: %s", f->status != NULL ? f->status : "new");
	if (f->http_status > 0)
		buf_printf(&b, ", HTTP %d", f->http_status);
	if (f->last_fetch != TIME_NONE) {
		buf_printf(&b, ", last poll ");
		cli_when(&b, f->last_fetch, now);
	} else
		buf_printf(&b, ", never polled");
	buf_printf(&b, "\n");
	if (f->error_count > 0 || f->error != NULL) {
		s = cli_clean(f->error != NULL ? f->error : "-", CLEAN_LINE);
		buf_printf(&b, "errors: %d in a row; last: %s\n",
		    f->error_count, s);
		free(s);
	} else
		buf_printf(&b, "errors: none\n");
	s = cli_clean(f->etag != NULL ? f->etag : "none", CLEAN_LINE);
	v = cli_clean(f->last_modified != NULL ? f->last_modified : "none",
	    CLEAN_LINE);
	buf_printf(&b, "validators: ETag %s; Last-Modified %s\n", s, v);
	free(s);
	free(v);
	cli_explain_hints(&b, f);
	buf_addc(&b, '\0');

	/* Everything the feed or server controls is cleaned, then wrapped. */
	cleaned = cli_clean(b.data, 0);
	for (s = cleaned; (v = strchr(s, '\n')) != NULL; s = v + 1) {
		*v = '\0';
		if (cli->termwidth > 0)
			cli_wrap_line(&out, s, strlen(s), cli->termwidth);
		else {
			buf_adds(&out, s);
			buf_addc(&out, '\n');
		}
	}
	free(cleaned);
	cli_write(out.data, out.len);
out:
	buf_free(&b);
	buf_free(&why);
	buf_free(&out);
	store_feed_free(f);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/*
 * The verdict on one entry for rules test: the rules of the first
 * source that keeps it, else those of the first source (DESIGN.md: a
 * story is shown where one carrying feed keeps it). Only sources of
 * feed (if not NULL) or of the category named cat (if not NULL) count.
 * *srcp is the source whose rules decided, or NULL.
 */
static void
cli_rules_judge(const struct filter_rules *fr, struct store_feed **feeds,
    size_t nfeeds, const struct stored_entry *se, const struct store_feed
    *feed, const char *cat, struct filter_verdict *v,
    const struct entry_source **srcp, const struct store_feed **sfp)
{
	const struct entry_source	*src;
	const struct store_feed		*sf;
	struct filter_subject		 fs;
	struct filter_verdict		 cur;
	const char			*name;
	char				*slug;
	size_t				 i, j;
	int				 any = 0;

	*srcp = NULL;
	*sfp = NULL;
	filter_subject_init(&fs, se);
	for (i = 0; i < se->nsources; i++) {
		src = &se->sources[i];
		if (feed != NULL && src->feed_id != feed->id)
			continue;
		for (j = 0; j < nfeeds; j++) {
			if (feeds[j]->id == src->feed_id)
				break;
		}
		if (j == nfeeds)
			continue;
		sf = feeds[j];
		name = sf->category != NULL && *sf->category != '\0' ?
		    sf->category : "Uncategorized";
		if (cat != NULL && strcmp(cat, name) != 0)
			continue;
		slug = server_slug(name);
		filter_rules_judge(fr, slug, src->feed_key, &fs, &cur);
		free(slug);
		if (!any || (cur.keep && !v->keep)) {
			*v = cur;
			*srcp = src;
			*sfp = sf;
		}
		any = 1;
		if (cur.keep)
			break;
	}
	/* No feed the store lists carries it: no category's rules. */
	if (!any) {
		src = se->nsources > 0 ? &se->sources[0] : NULL;
		filter_rules_judge(fr, NULL, src != NULL ? src->feed_key : NULL,
		    &fs, v);
		*srcp = src;
	}
	filter_subject_clear(&fs);
}

/*
 * What a verdict says, for people: 'exclude "sponsored" (feed CNN)',
 * 'no include matched (category North Korea)', "no rule". Caller frees.
 */
static char *
cli_rules_why(const struct filter_verdict *v, const char *label,
    const char *category)
{
	char	*scope, *s;

	if (v->scope == -1)
		return (xstrdup("no rule"));
	if (v->scope == FILTER_GLOBAL)
		scope = xstrdup("global");
	else
		xasprintf(&scope, "%s %s", filter_scope_name(v->scope),
		    v->scope == FILTER_FEED ? label : category);
	if (v->rule == NULL)
		xasprintf(&s, "no include matched (%s)", scope);
	else {
		xasprintf(&s, v->regex ? "%s %s (%s)" : "%s \"%s\" (%s)",
		    v->include ? "include" : "exclude", v->rule, scope);
	}
	free(scope);
	return (s);
}

/*
 * rules test [--feed F] [--category C] [--since T] [--limit N]: the
 * stored entries, newest first, each kept or dropped by the rules of
 * the config, and the rule and scope that decided.
 */
static int
verb_rules(struct cli *cli)
{
	static const char	*headers[] = { "ID", "RESULT", "RULE",
				    "SOURCE", "TITLE" };
	static const int	 flags[] = { COL_RIGHT, 0, COL_SHRINK,
				    COL_SHRINK, COL_SHRINK };
	struct conf		 *conf = NULL;
	struct store		 *st = NULL;
	struct store_feed	 *feed = NULL, **feeds = NULL;
	const struct store_feed	 *sf;
	struct stored_entry	**v = NULL;
	const struct entry_source *src;
	struct filter_rules	 *fr = NULL;
	struct filter_verdict	  verdict;
	struct store_query	  q;
	struct table		  t;
	const char		 *cells[5], *category;
	json_t			 *arr = NULL, *o;
	char			 *cause = NULL, *label, *why, id[32];
	size_t			  i, n = 0, nfeeds = 0;
	int			  rc;

	if (strcmp(cli->args[1], "test") != 0)
		return (cli_usage_error("rules: unknown subcommand: %.64s "
		    "(rules test)", cli->args[1]));
	if ((rc = cli_filter_opts(cli, &q)) != EXIT_OK)
		return (rc);
	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	/* The rules as the daemon compiles them: the same scopes, keys. */
	if ((fr = server_rules_compile(conf, &cause)) == NULL) {
		cli_warnx("%s: %s", conf->path, cause);
		rc = EXIT_USER;
		goto out;
	}
	if (cli->feed != NULL) {
		if ((rc = cli_find_feed(st, cli->feed, &feed)) != EXIT_OK)
			goto out;
		q.feed_id = feed->id;
	}
	if (store_feeds(st, &feeds, &nfeeds, &cause) != 0 ||
	    store_entries(st, &q, &v, &n, &cause) != 0) {
		cli_warnx("%s", cause);
		rc = EXIT_USER;
		goto out;
	}

	if (cli->json) {
		if ((arr = json_array()) == NULL)
			fatalx("out of memory");
	} else
		table_init(&t, 5, headers, flags);
	for (i = 0; i < n; i++) {
		cli_rules_judge(fr, feeds, nfeeds, v[i], feed, cli->category,
		    &verdict, &src, &sf);
		label = src != NULL ? cli_source_label(src) : xstrdup("?");
		category = sf != NULL && sf->category != NULL &&
		    *sf->category != '\0' ? sf->category : "Uncategorized";
		if (cli->json) {
			o = json_object();
			if (o == NULL)
				fatalx("out of memory");
			cli_jset(o, "id", json_integer(v[i]->id));
			cli_jset(o, "title", cli_jstr(v[i]->title != NULL ?
			    v[i]->title : ""));
			cli_jset(o, "label", cli_jstr(label));
			cli_jset(o, "kept", json_boolean(verdict.keep));
			cli_jset(o, "scope", cli_jstr(verdict.scope == -1 ?
			    NULL : filter_scope_name(verdict.scope)));
			cli_jset(o, "scope_name", cli_jstr(verdict.scope ==
			    FILTER_FEED ? label : verdict.scope ==
			    FILTER_CATEGORY ? category : NULL));
			cli_jset(o, "type", cli_jstr(verdict.scope == -1 ?
			    NULL : verdict.include ? "include" : "exclude"));
			cli_jset(o, "rule", cli_jstr(verdict.rule));
			cli_jappend(arr, o);
		} else {
			snprintf(id, sizeof id, "%" PRId64, v[i]->id);
			why = cli_rules_why(&verdict, label, category);
			cells[0] = id;
			cells[1] = verdict.keep ? "kept" : "dropped";
			cells[2] = why;
			cells[3] = label;
			cells[4] = v[i]->title;
			table_add(&t, cells, NULL);
			free(why);
		}
		free(label);
	}
	if (cli->json)
		cli_jprint(arr);
	else {
		table_print(&t, cli->termwidth);
		table_free(&t);
	}
out:
	json_decref(arr);
	free(cause);
	filter_rules_free(fr);
	stored_entries_free(v, n);
	store_feeds_free(feeds, nfeeds);
	store_feed_free(feed);
	store_close(st);
	conf_free(conf);
	return (rc);
}

/* What publish hands each document to. */
struct cli_publish {
	struct site	*site;
	json_t		*list;		/* --json, else NULL */
};

/* Say what became of a file of the site: one line, or a JSON object. */
static void
cli_publish_say(struct cli_publish *cp, const char *what, const char *file)
{
	json_t	*o;
	char	*line;

	if (cp->list != NULL) {
		if ((o = json_object()) == NULL)
			fatalx("out of memory");
		cli_jset(o, "file", cli_jstr(file));
		cli_jset(o, "status", cli_jstr(what));
		cli_jappend(cp->list, o);
	} else {
		xasprintf(&line, "%s %s\n", what, file);
		cli_puts(line);
		free(line);
	}
}

/* Write one document of the site. */
static int
cli_publish_cb(const char *file, const char *data, size_t len, void *arg,
    char **cause)
{
	struct cli_publish	*cp = arg;
	enum site_result	 res;

	if (site_write(cp->site, file, data, len, &res, cause) != 0)
		return (-1);
	cli_publish_say(cp, res == SITE_WRITTEN ? "written" : "unchanged",
	    file);
	return (0);
}

/* A file of a category gone: removed, or left as someone changed it. */
static int
cli_publish_removed_cb(const char *file, int removed, void *arg,
    char **cause)
{
	cli_publish_say(arg, removed ? "removed" : "left", file);
	return (0);
}

/*
 * publish --out DIR: every document the server serves, as files, laid
 * out so that the links in them resolve on a static host.
 */
static int
verb_publish(struct cli *cli)
{
	struct conf		*conf = NULL;
	struct store		*st = NULL;
	struct cli_publish	 cp;
	char			*cause = NULL;
	int			 rc;

	memset(&cp, 0, sizeof cp);
	if (*cli->out == '\0')
		return (cli_usage_error("publish: --out needs a DIR"));
	if ((rc = cli_store(cli, &conf, &st)) != EXIT_OK)
		goto out;
	if ((cp.site = site_open(cli->out, &cause)) == NULL) {
		cli_warnx("%s", cause);
		rc = EXIT_USER;
		goto out;
	}
	if (cli->json)
		cp.list = json_array();
	if (server_site(st, conf, cli_publish_cb, &cp, &cause) != 0 ||
	    site_finish(cp.site, cli_publish_removed_cb, &cp, &cause) != 0) {
		cli_warnx("%s", cause != NULL ? cause : cli->out);
		rc = EXIT_USER;
		goto out;
	}
	if (cp.list != NULL)
		cli_jprint(cp.list);
	rc = EXIT_OK;

out:
	if (cp.list != NULL)
		json_decref(cp.list);
	free(cause);
	site_close(cp.site);
	store_close(st);
	conf_free(conf);
	return (rc);
}
