/*
 * Unit tests for lib/filter: rule lists as the config writes them,
 * words, phrases and regular expressions over every field, include and
 * exclude, and malformed rules.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "filter.h"
#include "tap.h"
#include "xmalloc.h"

struct keep_case {
	const char	*include;
	const char	*exclude;
	int		 want;		/* kept? */
	const char	*what;
};

struct bad_case {
	const char	*list;
	const char	*cause;		/* a part of the error */
};

static struct stored_entry *entry_make(void);
static int	 keep(const struct stored_entry *, const char *,
		    const char *);

/* The entry every case is matched against. */
static struct stored_entry *
entry_make(void)
{
	struct stored_entry	*se;

	se = xcalloc(1, sizeof *se);
	se->id = 7;
	se->title = xstrdup("Kim and Putin meet in   Vladivostok");
	se->link = xstrdup("https://cnn.example/2019/04/24/kim-putin");
	se->author = xstrdup("Jane O'Doe");
	se->published = TIME_NONE;
	se->updated = TIME_NONE;
	se->first_seen = TIME_NONE;
	se->summary = xstrdup("<p>Ignored: the content wins.</p>");
	se->content = xstrdup("<p>The leaders of <b>North</b>\n Korea and "
	    "Russia met.</p><p>Sponsored&nbsp;content follows. "
	    "Pyongyang's envoy, C++ &amp; all.</p>");
	se->categories = xcalloc(2, sizeof *se->categories);
	se->categories[se->ncategories++] = xstrdup("World");
	se->categories[se->ncategories++] = xstrdup("Asia Pacific");
	return (se);
}

/* Filter one entry through a new filter; -1 if the rules are refused. */
static int
keep(const struct stored_entry *se, const char *include, const char *exclude)
{
	struct filter		*f;
	struct filter_subject	 fs;
	char			*cause = NULL;
	int			 rc;

	if ((f = filter_new(include, exclude, &cause)) == NULL) {
		tap_diag("filter_new: %s", cause);
		free(cause);
		return (-1);
	}
	filter_subject_init(&fs, se);
	rc = filter_keep(f, &fs);
	filter_subject_clear(&fs);
	filter_free(f);
	return (rc);
}

static const struct keep_case keep_cases[] = {
	{ NULL, NULL, 1, "no rules keep everything" },
	{ "", "  , ,", 1, "blank lists keep everything" },
	{ "putin", NULL, 1, "a word in the title" },
	{ "PUTIN", NULL, 1, "case-insensitive" },
	{ "put", NULL, 0, "a word matches whole words only" },
	{ "north korea", NULL, 1, "a phrase across a tag and a line break "
	    "in the text" },
	{ "north korea, pyongyang", NULL, 1, "the config's example list" },
	{ "south korea, seoul", NULL, 0, "no rule matches: dropped" },
	{ "korea russia", NULL, 0, "a phrase must be in sequence" },
	{ "pyongyang", NULL, 1, "a word before an apostrophe" },
	{ "in vladivostok", NULL, 1, "spaces collapse in the title" },
	{ "sponsored content", NULL, 1, "&nbsp; is a space in the text" },
	{ "o'doe", NULL, 1, "the author" },
	{ "cnn.example", NULL, 1, "the link" },
	{ "asia pacific", NULL, 1, "a category" },
	{ "pacific, world", NULL, 1, "another category" },
	{ "c++", NULL, 1, "a word ending in punctuation" },
	{ "ignored", NULL, 0, "the summary is not read when there is "
	    "content" },
	{ NULL, "sponsored", 0, "exclude drops" },
	{ NULL, "advert", 1, "exclude without a match keeps" },
	{ "putin", "sponsored", 0, "exclude wins over include" },
	{ "\"north korea\"", NULL, 1, "a quoted phrase" },
	{ "\"korea, and\"", NULL, 0, "a quoted phrase holds a comma" },
	{ "\"korea and russia\", seoul", NULL, 1, "quoted then bare" },
	{ "/kim.*putin/", NULL, 1, "a regular expression" },
	{ "/^KIM AND/", NULL, 1, "a regex is case-insensitive" },
	{ "/^putin/", NULL, 0, "an anchored regex that does not match" },
	{ "/a{1,3}x/, /pyong(yang)?/", NULL, 1, "a regex with a comma, "
	    "then another" },
	{ "/\\/2019\\/04\\//", NULL, 1, "escaped slashes in a regex" },
	{ NULL, "/sponsor(ed)?/", 0, "an exclude regex" },
	{ "/^world, asia/", NULL, 1, "categories are one field" },
	{ "seoul, /vladivostok$/", NULL, 1, "a regex after a word" },
};

static const struct bad_case bad_cases[] = {
	{ "\"north korea", "no closing quote" },
	{ "\"a\" b", "text after a quoted phrase" },
	{ "//", "empty regular expression" },
	{ "/(/", "bad rule \"/(/\"" },
	{ "/r/news", "no closing /" },
	{ "\"  \"", "empty phrase" },
};

int
main(void)
{
	struct stored_entry	*se, *bare;
	struct filter		*f;
	struct filter_subject	 fs;
	char			*cause, *big, *many;
	size_t			 i;

	se = entry_make();
	for (i = 0; i < sizeof keep_cases / sizeof keep_cases[0]; i++) {
		tap_is_int(keep(se, keep_cases[i].include,
		    keep_cases[i].exclude), keep_cases[i].want, "%s: "
		    "include [%s] exclude [%s]", keep_cases[i].what,
		    keep_cases[i].include != NULL ? keep_cases[i].include :
		    "", keep_cases[i].exclude != NULL ? keep_cases[i].exclude :
		    "");
	}

	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		cause = NULL;
		f = filter_new(bad_cases[i].list, NULL, &cause);
		tap_ok(f == NULL && cause != NULL &&
		    strstr(cause, bad_cases[i].cause) != NULL,
		    "refused [%s]: %s", bad_cases[i].list,
		    cause != NULL ? cause : "(none)");
		free(cause);
		filter_free(f);
		cause = NULL;
		tap_is_int(filter_check(bad_cases[i].list, &cause), -1,
		    "filter_check refuses [%s] too", bad_cases[i].list);
		free(cause);
		/* The same list as an exclude list. */
		f = filter_new(NULL, bad_cases[i].list, NULL);
		tap_ok(f == NULL, "refused as an exclude list, NULL cause");
	}
	tap_is_int(filter_check("north korea, /x+/, \"a, b\"", NULL), 0,
	    "filter_check accepts a good list");

	/* Limits on rule size and count. */
	big = xmalloc(FILTER_MAX_RULE + 2);
	memset(big, 'a', FILTER_MAX_RULE + 1);
	big[FILTER_MAX_RULE + 1] = '\0';
	cause = NULL;
	tap_ok(filter_check(big, &cause) == -1 && cause != NULL &&
	    strstr(cause, "longer than") != NULL, "a rule too long: %s",
	    cause != NULL ? cause : "(none)");
	free(cause);
	free(big);
	many = xmalloc(FILTER_MAX_RULES * 3 + 8);
	*many = '\0';
	for (i = 0; i <= FILTER_MAX_RULES; i++)
		strcat(many, "w,");
	cause = NULL;
	tap_ok(filter_check(many, &cause) == -1 && cause != NULL &&
	    strstr(cause, "more than") != NULL, "too many rules: %s",
	    cause != NULL ? cause : "(none)");
	free(cause);
	free(many);

	f = filter_new(" ,", NULL, NULL);
	tap_ok(f != NULL && filter_empty(f), "a blank list is empty");
	filter_free(f);
	f = filter_new(NULL, "x", NULL);
	tap_ok(f != NULL && !filter_empty(f), "an exclude rule is a rule");
	filter_free(f);
	tap_ok(filter_empty(NULL), "NULL is empty");
	filter_free(NULL);

	/* The subject: what rules read. */
	filter_subject_init(&fs, se);
	tap_ok(strstr(fs.fields[1], "North Korea and Russia met.") != NULL,
	    "text is the content as plain text");
	tap_is_str(fs.fields[4], "World, Asia Pacific", "categories joined");
	tap_is_str(fs.folded[0], "kim and putin meet in vladivostok",
	    "title folded");
	tap_is_int(filter_keep(NULL, &fs), 1, "a NULL filter keeps");
	filter_subject_clear(&fs);

	/* An entry with nothing but a title: NULL fields are empty. */
	bare = xcalloc(1, sizeof *bare);
	bare->title = xstrdup("Only a title");
	tap_is_int(keep(bare, "title", NULL), 1, "a bare entry matches its "
	    "title");
	tap_is_int(keep(bare, NULL, "/^$/"), 0, "an empty field matches "
	    "/^$/");
	stored_entry_free(bare);

	/* Summary when there is no content. */
	free(se->content);
	se->content = NULL;
	tap_is_int(keep(se, "ignored", NULL), 1, "no content: the summary is "
	    "the text");
	stored_entry_free(se);
	return (tap_done());
}
