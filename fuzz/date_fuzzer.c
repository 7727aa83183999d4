/*
 * libFuzzer target for lib/date: any string either fails or gives a time
 * that every writer can format and that reads back as itself; UBSan
 * watches the arithmetic (HOSTILE-18).
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "entry.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, buf[DATE_BUFSZ];
	int64_t	 t, back;

	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	if (date_parse(s, &t) == 0) {
		if (t == TIME_NONE)
			abort();
		/* RFC 3339 out must read back to the same second. */
		date_rfc3339(t, buf);
		if (date_parse(buf, &back) != 0 || back != t)
			abort();
		date_rfc822(t, buf);
		if (date_parse(buf, &back) != 0 || back != t)
			abort();
		date_http(t, buf);
		date_human(t, buf);
		if (strlen(buf) >= DATE_BUFSZ)
			abort();
	}
	free(s);
	return (0);
}
