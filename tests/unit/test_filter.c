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

/* Rules at three scopes, and the verdict they give. */
struct scope_case {
	const char	*rules[FILTER_NSCOPES][2];	/* include, exclude */
	int		 keep;
	int		 scope;		/* -1: no rule named */
	int		 include;
	const char	*rule;		/* or NULL */
	const char	*what;
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

#define CAT	"north-korea"
#define FEED	"https://cnn.example/world.rss"

static const struct scope_case scope_cases[] = {
	{ { { NULL, NULL }, { NULL, NULL }, { NULL, NULL } }, 1, -1, 0, NULL,
	    "no rule anywhere keeps" },
	{ { { "putin", NULL }, { NULL, NULL }, { NULL, NULL } }, 1,
	    FILTER_GLOBAL, 1, "putin", "a global include keeps" },
	{ { { "seoul", NULL }, { NULL, NULL }, { NULL, NULL } }, 0,
	    FILTER_GLOBAL, 1, NULL, "a global include that fails drops" },
	{ { { NULL, "Sponsored" }, { NULL, NULL }, { NULL, NULL } }, 0,
	    FILTER_GLOBAL, 0, "Sponsored", "a global exclude drops, named as "
	    "written" },
	{ { { NULL, NULL }, { "North Korea", NULL }, { NULL, NULL } }, 1,
	    FILTER_CATEGORY, 1, "North Korea", "a category include keeps" },
	{ { { NULL, NULL }, { NULL, "/kim.*putin/" }, { NULL, NULL } }, 0,
	    FILTER_CATEGORY, 0, "/kim.*putin/", "a category exclude regex "
	    "drops" },
	{ { { NULL, NULL }, { NULL, NULL }, { "seoul, vladivostok", NULL } },
	    1, FILTER_FEED, 1, "vladivostok", "the feed include that matches "
	    "is named" },
	{ { { NULL, NULL }, { NULL, NULL }, { NULL, "advert, c++" } }, 0,
	    FILTER_FEED, 0, "c++", "a feed exclude drops" },
	{ { { "putin", NULL }, { "korea", NULL }, { "seoul", NULL } }, 0,
	    FILTER_FEED, 1, NULL, "includes narrow: the feed's must match "
	    "too" },
	{ { { "seoul", NULL }, { "korea", NULL }, { "putin", NULL } }, 0,
	    FILTER_GLOBAL, 1, NULL, "includes narrow: the global must match "
	    "too" },
	{ { { "putin", NULL }, { "korea", NULL }, { NULL, NULL } }, 1,
	    FILTER_CATEGORY, 1, "korea", "all includes match: the narrowest "
	    "is named" },
	{ { { "putin", NULL }, { NULL, NULL }, { "kim", "sponsored" } }, 0,
	    FILTER_FEED, 0, "sponsored", "a feed exclude wins over every "
	    "include" },
	{ { { NULL, "pyongyang" }, { "korea", NULL }, { "kim", NULL } }, 0,
	    FILTER_GLOBAL, 0, "pyongyang", "a global exclude wins over "
	    "narrower includes" },
	{ { { NULL, "world" }, { NULL, "putin" }, { NULL, "kim" } }, 0,
	    FILTER_GLOBAL, 0, "world", "several excludes: the widest scope "
	    "is named" },
	{ { { NULL, "seoul" }, { NULL, "tokyo" }, { NULL, "beijing" } }, 1,
	    -1, 0, NULL, "excludes that do not match keep" },
};

/* Judge the entry with one case's rules, under CAT and FEED. */
static void
scope_case_run(const struct stored_entry *se, const struct scope_case *c)
{
	static const char	*keys[FILTER_NSCOPES] = { NULL, CAT, FEED };
	struct filter_rules	*fr;
	struct filter_subject	 fs;
	struct filter_verdict	 v;
	char			*cause = NULL;
	int			 s, keep;

	fr = filter_rules_new();
	for (s = 0; s < FILTER_NSCOPES; s++) {
		if (filter_rules_add(fr, s, keys[s], c->rules[s][0],
		    c->rules[s][1], &cause) != 0) {
			tap_diag("filter_rules_add: %s", cause);
			free(cause);
			cause = NULL;
		}
	}
	filter_subject_init(&fs, se);
	keep = filter_rules_judge(fr, CAT, FEED, &fs, &v);
	tap_ok(keep == c->keep && v.keep == c->keep && v.scope == c->scope &&
	    v.include == c->include && (c->rule == NULL ? v.rule == NULL :
	    v.rule != NULL && strcmp(v.rule, c->rule) == 0) &&
	    (v.scope == -1 ? v.key == NULL : v.key == keys[v.scope]),
	    "%s (kept %d, %s, %s \"%s\")", c->what, v.keep,
	    filter_scope_name(v.scope), v.include ? "include" : "exclude",
	    v.rule != NULL ? v.rule : "(none)");
	/* Another category and feed: only the global rules apply. */
	keep = filter_rules_judge(fr, "south-korea", "https://other.example/",
	    &fs, &v);
	tap_ok(v.scope == -1 || v.scope == FILTER_GLOBAL, "%s: elsewhere only "
	    "the global rules apply", c->what);
	filter_subject_clear(&fs);
	filter_rules_free(fr);
}

/* filter_match: one filter, and the rule that decided. */
static void
test_match(const struct stored_entry *se)
{
	struct filter		*f;
	struct filter_subject	 fs;
	struct filter_verdict	 v;

	filter_subject_init(&fs, se);
	f = filter_new("seoul, \"North  Korea\", /kim.*putin/", NULL, NULL);
	tap_ok(filter_match(f, &fs, &v) == 1 && v.keep && v.include &&
	    v.rule != NULL && strcmp(v.rule, "North  Korea") == 0 &&
	    !v.regex && v.scope == -1, "filter_match names the first "
	    "include that matches, as written: %s", v.rule);
	filter_free(f);
	f = filter_new("/KIM.*putin/", "seoul", NULL);
	tap_ok(filter_match(f, &fs, &v) == 1 && v.rule != NULL &&
	    strcmp(v.rule, "/KIM.*putin/") == 0 && v.regex,
	    "a regex is named with its slashes");
	filter_free(f);
	f = filter_new("putin", "seoul, sponsored", NULL);
	tap_ok(filter_match(f, &fs, &v) == 0 && !v.keep && !v.include &&
	    v.rule != NULL && strcmp(v.rule, "sponsored") == 0,
	    "the exclude that drops is named");
	filter_free(f);
	f = filter_new("seoul, tokyo", NULL, NULL);
	tap_ok(filter_match(f, &fs, &v) == 0 && v.include && v.rule == NULL,
	    "no include matched: dropped, no rule named");
	filter_free(f);
	tap_ok(filter_match(NULL, &fs, &v) == 1 && v.rule == NULL &&
	    !v.include, "a NULL filter keeps, no rule named");
	tap_is_int(filter_match(NULL, &fs, NULL), 1, "a NULL verdict is "
	    "fine");
	filter_subject_clear(&fs);
}

/* filter_rules: what a key set twice, blanks and bad rules do. */
static void
test_rules(const struct stored_entry *se)
{
	struct filter_rules	*fr;
	struct filter_subject	 fs;
	struct filter_verdict	 v;
	char			*cause = NULL;

	filter_subject_init(&fs, se);
	tap_ok(filter_rules_empty(NULL), "NULL rules are empty");
	tap_is_int(filter_rules_judge(NULL, CAT, FEED, &fs, &v), 1, "NULL "
	    "rules keep");
	fr = filter_rules_new();
	tap_is_int(filter_rules_add(fr, FILTER_FEED, FEED, " , ", "", NULL),
	    0, "blank lists are accepted");
	tap_ok(filter_rules_empty(fr), "and add no rule");
	tap_ok(filter_rules_add(fr, FILTER_CATEGORY, CAT, NULL, "/(/",
	    &cause) == -1 && cause != NULL && strstr(cause,
	    "bad rule \"/(/\"") != NULL, "a bad rule is refused: %s",
	    cause != NULL ? cause : "(none)");
	free(cause);
	tap_ok(filter_rules_empty(fr), "and adds nothing");
	tap_is_int(filter_rules_add(fr, FILTER_CATEGORY, CAT, NULL, "putin",
	    NULL), 0, "a category exclude");
	tap_is_int(filter_rules_add(fr, FILTER_CATEGORY, CAT, NULL, "seoul",
	    NULL), 0, "the same category again");
	tap_is_int(filter_rules_judge(fr, CAT, NULL, &fs, &v), 0, "the first "
	    "rules of a key stay");
	tap_is_int(filter_rules_judge(fr, NULL, CAT, &fs, &v), 1, "a feed "
	    "key is not a category key");
	filter_rules_free(fr);
	filter_rules_free(NULL);
	tap_is_str(filter_scope_name(FILTER_GLOBAL), "global", "scope names");
	tap_is_str(filter_scope_name(FILTER_CATEGORY), "category",
	    "scope names");
	tap_is_str(filter_scope_name(FILTER_FEED), "feed", "scope names");
	filter_subject_clear(&fs);
}

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

	test_match(se);
	test_rules(se);
	for (i = 0; i < sizeof scope_cases / sizeof scope_cases[0]; i++)
		scope_case_run(se, &scope_cases[i]);

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
