/*
 * Rules: include and exclude lists of words, phrases and regular
 * expressions, matched case-insensitively over an entry's fields.
 */

#include "config.h"

#include <sys/types.h>

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "entry.h"
#include "filter.h"
#include "html.h"
#include "xmalloc.h"

enum filter_kind {
	FILTER_PHRASE,		/* words, folded, on word boundaries */
	FILTER_REGEX
};

struct filter_rule {
	enum filter_kind	 kind;
	char			*text;	/* the folded phrase, or the pattern */
	char			*written; /* as the config has it, for people */
	regex_t			 re;
};

struct filter_list {
	struct filter_rule	*v;
	size_t			 n;
};

struct filter {
	struct filter_list	 include;
	struct filter_list	 exclude;
};

/* The filter of one category or feed. */
struct filter_keyed {
	enum filter_scope	 scope;
	char			*key;
	struct filter		*f;
};

struct filter_rules {
	struct filter		*global;	/* or NULL */
	struct filter_keyed	*v;
	size_t			 n;
};

#define FILTER_NFIELDS	5

static char	*filter_fold(const char *);
static int	 filter_word_char(unsigned char);
static int	 filter_add(struct filter_list *, enum filter_kind,
		     const char *, size_t, char **);
static int	 filter_parse(struct filter_list *, const char *, char **);
static void	 filter_list_clear(struct filter_list *);
static int	 filter_phrase_in(const char *, const char *);
static int	 filter_rule_match(const struct filter_rule *,
		     const struct filter_subject *);
static const struct filter_rule *filter_list_match(
		     const struct filter_list *, const struct filter_subject *);
static void	 filter_verdict_set(struct filter_verdict *, int, int,
		     const struct filter_rule *);
static const struct filter *filter_rules_find(const struct filter_rules *,
		     enum filter_scope, const char *);

/*
 * Fold a string for phrase matching: ASCII letters lower-case, every
 * run of white space one space, the ends trimmed. Caller frees.
 */
static char *
filter_fold(const char *s)
{
	struct buf		 b;
	const unsigned char	*p;
	int			 space = 0;

	buf_init(&b);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isspace(*p)) {
			space = 1;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, (char)tolower(*p));
	}
	return (buf_steal(&b, NULL));
}

/*
 * Is this byte part of a word: an ASCII letter or digit, or any byte of
 * a UTF-8 sequence (letters of other scripts)?
 */
static int
filter_word_char(unsigned char c)
{
	return (isalnum(c) || c >= 0x80);
}

/* Append one rule made of len bytes of s. */
static int
filter_add(struct filter_list *l, enum filter_kind kind, const char *s,
    size_t len, char **cause)
{
	struct filter_rule	 r;
	char			*raw, err[256];
	int			 rc;

	raw = xstrndup(s, len);
	if (len > FILTER_MAX_RULE) {
		xcause(cause, "bad rule \"%.40s...\": longer than %d "
		    "bytes", raw, FILTER_MAX_RULE);
		goto fail;
	}
	if (l->n >= FILTER_MAX_RULES) {
		xcause(cause, "bad rule \"%s\": more than %d rules",
		    raw, FILTER_MAX_RULES);
		goto fail;
	}
	memset(&r, 0, sizeof r);
	r.kind = kind;
	if (kind == FILTER_REGEX) {
		if (*raw == '\0') {
			xcause(cause, "bad rule \"//\": an empty "
			    "regular expression");
			goto fail;
		}
		rc = regcomp(&r.re, raw, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &r.re, err, sizeof err);
			xcause(cause, "bad rule \"/%s/\": %s", raw, err);
			goto fail;
		}
		r.text = raw;
		xasprintf(&r.written, "/%s/", raw);
	} else {
		r.text = filter_fold(raw);
		if (*r.text == '\0') {
			free(r.text);
			xcause(cause, "bad rule \"%s\": an empty phrase",
			    raw);
			goto fail;
		}
		r.written = raw;
	}
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = r;
	return (0);

fail:
	free(raw);
	return (-1);
}

/*
 * Read a comma-separated list: "quoted phrases" and /regexes/ may hold
 * commas; a regex ends at the last '/' before a comma or the end.
 */
static int
filter_parse(struct filter_list *l, const char *list, char **cause)
{
	const char	*p = list, *start, *end, *q;
	char		 next;

	if (list == NULL)
		return (0);
	for (;;) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (*p == '\0')
			return (0);
		if (*p == '"') {
			start = p + 1;
			if ((end = strchr(start, '"')) == NULL) {
				xcause(cause, "bad rule \"%.40s\": no "
				    "closing quote", p);
				return (-1);
			}
			if (filter_add(l, FILTER_PHRASE, start, end - start,
			    cause) != 0)
				return (-1);
			p = end + 1;
			while (isspace((unsigned char)*p))
				p++;
			if (*p != ',' && *p != '\0') {
				xcause(cause, "bad rule \"%.40s\": text "
				    "after a quoted phrase", start - 1);
				return (-1);
			}
			continue;
		}
		if (*p == '/') {
			start = p + 1;
			end = NULL;
			for (q = start; *q != '\0'; q++) {
				if (*q == '\\' && q[1] != '\0') {
					q++;
					continue;
				}
				if (*q != '/')
					continue;
				next = q[1 + strspn(q + 1, " \t")];
				if (next == ',' || next == '\0') {
					end = q;
					break;
				}
			}
			if (end == NULL) {
				xcause(cause, "bad rule \"%.40s\": no "
				    "closing / (quote a phrase that starts "
				    "with /)", p);
				return (-1);
			}
			if (filter_add(l, FILTER_REGEX, start, end - start,
			    cause) != 0)
				return (-1);
			p = end + 1;
			continue;
		}
		start = p;
		end = p + strcspn(p, ",");
		p = end;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (filter_add(l, FILTER_PHRASE, start, end - start,
		    cause) != 0)
			return (-1);
	}
}

/* Free the rules of a list. */
static void
filter_list_clear(struct filter_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].kind == FILTER_REGEX)
			regfree(&l->v[i].re);
		free(l->v[i].text);
		free(l->v[i].written);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct filter *
filter_new(const char *include, const char *exclude, char **cause)
{
	struct filter	*f;

	f = xcalloc(1, sizeof *f);
	if (filter_parse(&f->include, include, cause) != 0 ||
	    filter_parse(&f->exclude, exclude, cause) != 0) {
		filter_free(f);
		return (NULL);
	}
	return (f);
}

void
filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	filter_list_clear(&f->include);
	filter_list_clear(&f->exclude);
	free(f);
}

int
filter_empty(const struct filter *f)
{
	return (f == NULL || (f->include.n == 0 && f->exclude.n == 0));
}

int
filter_check(const char *list, char **cause)
{
	struct filter_list	l;
	int			rc;

	memset(&l, 0, sizeof l);
	rc = filter_parse(&l, list, cause);
	filter_list_clear(&l);
	return (rc);
}

void
filter_subject_init(struct filter_subject *fs, const struct stored_entry *se)
{
	struct buf	 b;
	const char	*body;
	size_t		 i;

	memset(fs, 0, sizeof *fs);
	fs->fields[0] = xstrdup(se->title != NULL ? se->title : "");
	body = se->content != NULL && *se->content != '\0' ? se->content :
	    se->summary;
	fs->fields[1] = html_to_text(body != NULL ? body : "");
	fs->fields[2] = xstrdup(se->author != NULL ? se->author : "");
	fs->fields[3] = xstrdup(se->link != NULL ? se->link : "");
	buf_init(&b);
	for (i = 0; i < se->ncategories; i++) {
		if (se->categories[i] == NULL || *se->categories[i] == '\0')
			continue;
		if (b.len > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, se->categories[i]);
	}
	fs->fields[4] = buf_steal(&b, NULL);
	for (i = 0; i < FILTER_NFIELDS; i++)
		fs->folded[i] = filter_fold(fs->fields[i]);
}

void
filter_subject_clear(struct filter_subject *fs)
{
	size_t	i;

	for (i = 0; i < FILTER_NFIELDS; i++) {
		free(fs->fields[i]);
		free(fs->folded[i]);
	}
	memset(fs, 0, sizeof *fs);
}

/*
 * Does the folded phrase occur in the folded text, not inside a word: a
 * phrase that begins (ends) with a letter or digit must not follow
 * (precede) one?
 */
static int
filter_phrase_in(const char *text, const char *phrase)
{
	const unsigned char	*t = (const unsigned char *)text, *hit;
	size_t			 n = strlen(phrase);
	int			 wstart, wend;

	wstart = filter_word_char((unsigned char)phrase[0]);
	wend = filter_word_char((unsigned char)phrase[n - 1]);
	for (hit = t; (hit = (const unsigned char *)strstr((const char *)hit,
	    phrase)) != NULL; hit++) {
		if (wstart && hit > t && filter_word_char(hit[-1]))
			continue;
		if (wend && hit[n] != '\0' && filter_word_char(hit[n]))
			continue;
		return (1);
	}
	return (0);
}

/* Does one rule match any field? */
static int
filter_rule_match(const struct filter_rule *r, const struct filter_subject *fs)
{
	size_t	i;

	for (i = 0; i < FILTER_NFIELDS; i++) {
		if (r->kind == FILTER_REGEX) {
			if (fs->fields[i] != NULL &&
			    regexec(&r->re, fs->fields[i], 0, NULL, 0) == 0)
				return (1);
		} else if (fs->folded[i] != NULL &&
		    filter_phrase_in(fs->folded[i], r->text))
			return (1);
	}
	return (0);
}

/* The first rule of a list that matches, or NULL. */
static const struct filter_rule *
filter_list_match(const struct filter_list *l, const struct filter_subject *fs)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (filter_rule_match(&l->v[i], fs))
			return (&l->v[i]);
	}
	return (NULL);
}

int
filter_keep(const struct filter *f, const struct filter_subject *fs)
{
	return (filter_match(f, fs, NULL));
}

/* Fill a verdict, if the caller wants one. */
static void
filter_verdict_set(struct filter_verdict *v, int keep, int include,
    const struct filter_rule *r)
{
	if (v == NULL)
		return;
	v->keep = keep;
	v->include = include;
	v->rule = r != NULL ? r->written : NULL;
	v->regex = r != NULL && r->kind == FILTER_REGEX;
}

int
filter_match(const struct filter *f, const struct filter_subject *fs,
    struct filter_verdict *v)
{
	const struct filter_rule	*r;

	if (v != NULL) {
		memset(v, 0, sizeof *v);
		v->scope = -1;
	}
	if (f == NULL) {
		filter_verdict_set(v, 1, 0, NULL);
		return (1);
	}
	if ((r = filter_list_match(&f->exclude, fs)) != NULL) {
		filter_verdict_set(v, 0, 0, r);
		return (0);
	}
	if (f->include.n == 0) {
		filter_verdict_set(v, 1, 0, NULL);
		return (1);
	}
	r = filter_list_match(&f->include, fs);
	filter_verdict_set(v, r != NULL, 1, r);
	return (r != NULL);
}

struct filter_rules *
filter_rules_new(void)
{
	return (xcalloc(1, sizeof (struct filter_rules)));
}

void
filter_rules_free(struct filter_rules *fr)
{
	size_t	i;

	if (fr == NULL)
		return;
	filter_free(fr->global);
	for (i = 0; i < fr->n; i++) {
		free(fr->v[i].key);
		filter_free(fr->v[i].f);
	}
	free(fr->v);
	free(fr);
}

int
filter_rules_add(struct filter_rules *fr, enum filter_scope scope,
    const char *key, const char *include, const char *exclude, char **cause)
{
	struct filter	*f;

	if ((f = filter_new(include, exclude, cause)) == NULL)
		return (-1);
	/* An empty filter keeps everything: as good as none. */
	if (filter_empty(f) || (scope != FILTER_GLOBAL && (key == NULL ||
	    filter_rules_find(fr, scope, key) != NULL)) ||
	    (scope == FILTER_GLOBAL && fr->global != NULL)) {
		filter_free(f);
		return (0);
	}
	if (scope == FILTER_GLOBAL) {
		fr->global = f;
		return (0);
	}
	fr->v = xreallocarray(fr->v, fr->n + 1, sizeof *fr->v);
	fr->v[fr->n].scope = scope;
	fr->v[fr->n].key = xstrdup(key);
	fr->v[fr->n].f = f;
	fr->n++;
	return (0);
}

int
filter_rules_empty(const struct filter_rules *fr)
{
	return (fr == NULL || (fr->global == NULL && fr->n == 0));
}

/* The filter of a category or feed, or NULL. */
static const struct filter *
filter_rules_find(const struct filter_rules *fr, enum filter_scope scope,
    const char *key)
{
	size_t	i;

	if (key == NULL)
		return (NULL);
	for (i = 0; i < fr->n; i++) {
		if (fr->v[i].scope == scope && strcmp(fr->v[i].key, key) == 0)
			return (fr->v[i].f);
	}
	return (NULL);
}

int
filter_rules_judge(const struct filter_rules *fr, const char *category,
    const char *feed, const struct filter_subject *fs,
    struct filter_verdict *v)
{
	const struct filter		*f[FILTER_NSCOPES];
	const struct filter_rule	*r, *best = NULL;
	const char			*key[FILTER_NSCOPES];
	int				 s, scope = -1, keep = 1, include = 0;

	if (!filter_rules_empty(fr)) {
		f[FILTER_GLOBAL] = fr->global;
		f[FILTER_CATEGORY] = filter_rules_find(fr, FILTER_CATEGORY,
		    category);
		f[FILTER_FEED] = filter_rules_find(fr, FILTER_FEED, feed);
	} else
		f[0] = f[1] = f[2] = NULL;
	key[FILTER_GLOBAL] = NULL;
	key[FILTER_CATEGORY] = category;
	key[FILTER_FEED] = feed;

	/* Excludes win at every scope, whatever an include says. */
	for (s = 0; s < FILTER_NSCOPES && keep; s++) {
		if (f[s] == NULL ||
		    (r = filter_list_match(&f[s]->exclude, fs)) == NULL)
			continue;
		keep = 0;
		best = r;
		scope = s;
	}
	/* Includes narrow: each scope that has some must have a match. */
	for (s = 0; s < FILTER_NSCOPES && keep; s++) {
		if (f[s] == NULL || f[s]->include.n == 0)
			continue;
		include = 1;
		scope = s;
		best = filter_list_match(&f[s]->include, fs);
		if (best == NULL)
			keep = 0;
	}
	if (v != NULL) {
		filter_verdict_set(v, keep, include, best);
		v->scope = scope;
		v->key = scope != -1 ? key[scope] : NULL;
	}
	return (keep);
}

const char *
filter_scope_name(int scope)
{
	switch (scope) {
	case FILTER_GLOBAL:
		return ("global");
	case FILTER_CATEGORY:
		return ("category");
	case FILTER_FEED:
		return ("feed");
	}
	return ("none");
}
