/* path.c — building apimachinery-style field paths (see path.h). */
#include "guardrail/path.h"

#include <stdio.h>
#include <string.h>

void gr_path_init(gr_path *p, const char *prefix)
{
	p->len = 0;
	p->buf[0] = '\0';
	if (prefix && *prefix) {
		size_t n = strlen(prefix);
		if (n >= GR_PATH_MAX)
			n = GR_PATH_MAX - 1;
		memcpy(p->buf, prefix, n);
		p->len = n;
		p->buf[n] = '\0';
	}
}

static void append(gr_path *p, const char *s, size_t n)
{
	if (p->len + n >= GR_PATH_MAX)
		n = GR_PATH_MAX - 1 - p->len;
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

size_t gr_path_push_key(gr_path *p, const char *key, size_t key_len)
{
	size_t old = p->len;
	int plain = key_len > 0;
	for (size_t i = 0; i < key_len && plain; i++)
		if (key[i] == '.' || key[i] == '[' || key[i] == ']' || key[i] == '/')
			plain = 0;
	if (plain) {
		if (p->len)
			append(p, ".", 1);
		append(p, key, key_len);
	} else {
		/* field.Path.Key(): name[key] */
		append(p, "[", 1);
		append(p, key, key_len);
		append(p, "]", 1);
	}
	return old;
}

size_t gr_path_push_index(gr_path *p, size_t index)
{
	size_t old = p->len;
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "[%zu]", index);
	append(p, tmp, (size_t)n);
	return old;
}
