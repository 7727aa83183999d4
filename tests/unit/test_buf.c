/* Unit tests for lib/buf: growth, escaping, UTF-8 cleaning. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct buf	 b;
	char		*s;
	size_t		 i, len;

	buf_init(&b);
	for (i = 0; i < 10000; i++)
		buf_addc(&b, 'x');
	tap_is_int(b.len, 10000, "buf grows to 10000 bytes");
	tap_is_int(strlen(b.data), 10000, "buf stays NUL-terminated");
	buf_reset(&b);
	tap_is_int(b.len, 0, "buf_reset empties");

	buf_add_xml(&b, "a<b>&\"c'");
	tap_is_str(b.data, "a&lt;b&gt;&amp;&quot;c&#39;", "xml escaping");
	buf_reset(&b);

	/* HOSTILE-13, HOSTILE-30: controls and U+FFFE/U+FFFF dropped. */
	buf_add_xml(&b, "a\x01\x1b[2Jb\xef\xbf\xbe\xef\xbf\xbf" "c\td");
	tap_is_str(b.data, "a[2Jbc\td", "forbidden characters dropped");
	buf_reset(&b);

	/* Invalid UTF-8, overlong forms and encoded surrogates. */
	buf_add_xml(&b, "x\xff\xc0\xaf\xed\xa0\x80y");
	tap_ok(strncmp(b.data, "x\xef\xbf\xbd", 4) == 0 &&
	    b.data[b.len - 1] == 'y', "invalid UTF-8 becomes U+FFFD");
	buf_free(&b);

	s = utf8_clean("ab\0cd", 5);
	tap_is_str(s, "abcd", "utf8_clean drops an embedded NUL");
	free(s);

	buf_init(&b);
	s = buf_steal(&b, &len);
	tap_ok(s != NULL && *s == '\0' && len == 0, "steal of empty buffer");
	free(s);

	return (tap_done());
}
