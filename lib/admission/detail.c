/*
 * detail.c — Pod Security Admission's aggregation of failing checks into
 * one message: `reason (detail), reason (detail)` (policy/checks.go
 * ForbiddenDetail). A check that fails for several containers gives one
 * entry; details that differ only in the container name merge the way PSA
 * words them: `containers "a", "b" must set ...`.
 */
#include <string.h>

#include "guardrail/admission.h"

/* Split `[pod or ]container "NAME" REST` into its parts; false otherwise. */
static bool split_container(const char *d, bool *pod_or, const char **name, size_t *name_len,
                            const char **rest)
{
	*pod_or = false;
	if (strncmp(d, "pod or ", 7) == 0) {
		*pod_or = true;
		d += 7;
	}
	if (strncmp(d, "container \"", 11) != 0)
		return false;
	const char *n = d + 11;
	const char *q = strchr(n, '"');
	if (!q || q[1] != ' ')
		return false;
	*name = n;
	*name_len = (size_t)(q - n);
	*rest = q + 2;
	return true;
}

/* The plural verb of REST's first word, as PSA's messages have it. */
static void put_plural_rest(gr_buf *b, const char *rest)
{
	static const struct {
		const char *one, *many;
	} verbs[] = {{"uses ", "use "}, {"has ", "have "}, {"is ", "are "}, {"sets ", "set "}};
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		size_t n = strlen(verbs[i].one);
		if (strncmp(rest, verbs[i].one, n) == 0) {
			gr_buf_puts(b, verbs[i].many);
			gr_buf_puts(b, rest + n);
			return;
		}
	}
	gr_buf_puts(b, rest);
}

char *gr_admission_forbidden_detail(gr_arena *a, const gr_admission_violation *v, size_t n)
{
	gr_buf b;
	gr_buf_init(&b);
	size_t i = 0;
	while (i < n) {
		const char *reason = v[i].reason ? v[i].reason : "unknown forbidden reason";
		size_t end = i + 1;
		while (end < n && v[end].reason && strcmp(v[end].reason, reason) == 0)
			end++;
		if (b.len)
			gr_buf_puts(&b, ", ");
		gr_buf_puts(&b, reason);
		bool opened = false;
		/* Within [i, end): merge details that share REST, in first-seen order. */
		for (size_t j = i; j < end; j++) {
			const char *dj = v[j].detail;
			if (!dj || !dj[0])
				continue;
			bool pod_or;
			const char *name, *rest;
			size_t nl;
			bool cj = split_container(dj, &pod_or, &name, &nl, &rest);
			bool seen = false;
			for (size_t k = i; k < j && !seen; k++) {
				const char *dk = v[k].detail;
				if (!dk)
					continue;
				if (strcmp(dk, dj) == 0) {
					seen = true;
					continue;
				}
				bool pk;
				const char *nk, *rk;
				size_t nlk;
				if (cj && split_container(dk, &pk, &nk, &nlk, &rk) && pk == pod_or &&
				    strcmp(rk, rest) == 0)
					seen = true;
			}
			if (seen)
				continue;
			gr_buf_puts(&b, opened ? "; " : " (");
			opened = true;
			if (!cj) {
				gr_buf_puts(&b, dj);
				continue;
			}
			/* Collect every later detail with the same REST. */
			size_t count = 0;
			for (size_t k = j; k < end; k++) {
				bool pk;
				const char *nk, *rk;
				size_t nlk;
				if (v[k].detail && split_container(v[k].detail, &pk, &nk, &nlk, &rk) &&
				    pk == pod_or && strcmp(rk, rest) == 0) {
					bool dup = false;
					for (size_t m = j; m < k && !dup; m++)
						dup = v[m].detail && strcmp(v[m].detail, v[k].detail) == 0;
					if (!dup)
						count++;
				}
			}
			if (pod_or)
				gr_buf_puts(&b, "pod or ");
			gr_buf_puts(&b, count > 1 ? "containers " : "container ");
			size_t put = 0;
			for (size_t k = j; k < end; k++) {
				bool pk;
				const char *nk, *rk;
				size_t nlk;
				if (!v[k].detail || !split_container(v[k].detail, &pk, &nk, &nlk, &rk) ||
				    pk != pod_or || strcmp(rk, rest) != 0)
					continue;
				bool dup = false;
				for (size_t m = j; m < k && !dup; m++)
					dup = v[m].detail && strcmp(v[m].detail, v[k].detail) == 0;
				if (dup)
					continue;
				if (put++)
					gr_buf_puts(&b, ", ");
				gr_buf_putc(&b, '"');
				gr_buf_append(&b, nk, nlk);
				gr_buf_putc(&b, '"');
			}
			gr_buf_putc(&b, ' ');
			if (count > 1)
				put_plural_rest(&b, rest);
			else
				gr_buf_puts(&b, rest);
		}
		if (opened)
			gr_buf_putc(&b, ')');
		i = end;
	}
	char *out = b.failed ? NULL : gr_arena_strndup(a, b.data ? b.data : "", b.len);
	gr_buf_free(&b);
	return out;
}
