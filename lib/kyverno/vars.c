/*
 * vars.c — `{{ }}` variables: finding them, the compiled-program cache,
 * Kyverno's "not found" rule, substitution, and the JSON context.
 *
 * Every expression written in a policy is compiled once, at load, into the
 * set's cache (keyed by its text); evaluation only looks programs up. Only
 * expressions built at run time (nested `{{ a.{{b}} }}`) are compiled
 * during an evaluation, and freed with it.
 *
 * Kyverno's JMESPath raises NotFound when a plain field chain (`a.b.c`)
 * reaches a map without the key; everywhere else (`||`, functions,
 * filters) a missing key is null. The cache records, for each expression
 * that is a plain chain, its fields, so the lookup can tell the two apart.
 *
 * The context is one gr_value object replaced copy-on-write: setting a
 * (dotted) name copies the objects on its path, so restoring a checkpoint
 * is assigning the saved root.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kyverno_int.h"

void ky_fail(ky_eval *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->err, sizeof ev->err, fmt, ap);
	va_end(ap);
}

static uint64_t hash_text(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void trim_ws(const char **s, size_t *len)
{
	while (*len && strchr(" \t\n\r", (*s)[0]))
		(*s)++, (*len)--;
	while (*len && strchr(" \t\n\r", (*s)[*len - 1]))
		(*len)--;
}

/* The next `{{ ... }}` at or after from, as the regex
 * (^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\}) finds it. */
static bool find_var(const char *s, size_t len, size_t from, size_t *start, size_t *end)
{
	for (size_t i = from; i + 1 < len; i++) {
		if (s[i] != '{' || s[i + 1] != '{')
			continue;
		if (i > 0 && s[i - 1] == '\\')
			continue;
		size_t j = i + 2;
		while (j < len) {
			char c = s[j];
			if (c == '}') {
				if (j + 1 < len && s[j + 1] == '}') {
					*start = i;
					*end = j + 2;
					return true;
				}
				break;
			}
			if (c == '{') {
				size_t k = j + 1;
				while (k < len && s[k] != '{' && s[k] != '}')
					k++;
				if (k < len && s[k] == '}') {
					j = k + 1;
					continue;
				}
				break;
			}
			j++;
		}
	}
	return false;
}

/* A plain chain of fields: ident(.ident)* with bare or "quoted" names. */
static bool parse_chain(gr_arena *a, const char *s, size_t len, const char ***out, size_t *n)
{
	const char *segs[64];
	size_t nseg = 0, i = 0;
	while (i < len) {
		size_t st, en;
		if (s[i] == '"') {
			st = ++i;
			while (i < len && s[i] != '"' && s[i] != '\\')
				i++;
			if (i >= len || s[i] != '"')
				return false;
			en = i++;
		} else {
			st = i;
			if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
				return false;
			while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			                   (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
				i++;
			en = i;
		}
		if (nseg == 64)
			return false;
		segs[nseg++] = gr_arena_strndup(a, s + st, en - st);
		if (i == len)
			break;
		if (s[i] != '.')
			return false;
		i++;
		if (i == len)
			return false;
	}
	if (!nseg)
		return false;
	/* JMESPath literals and keywords are not chains */
	if (nseg == 1 &&
	    (strcmp(segs[0], "true") == 0 || strcmp(segs[0], "false") == 0 || strcmp(segs[0], "null") == 0))
		return false;
	*out = gr_arena_alloc(a, nseg * sizeof(char *));
	if (!*out)
		return false;
	memcpy(*out, segs, nseg * sizeof(char *));
	*n = nseg;
	return true;
}

static ky_cache_entry *cache_find(const gr_kyverno_set *set, const char *s, size_t len, uint64_t h)
{
	if (!set->cache_cap)
		return NULL;
	size_t mask = set->cache_cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		ky_cache_entry *e = &set->cache[i];
		if (!e->text)
			return NULL;
		if (e->hash == h && e->len == len && memcmp(e->text, s, len) == 0)
			return e;
	}
}

static int cache_grow(gr_kyverno_set *set)
{
	size_t nc = set->cache_cap ? set->cache_cap * 2 : 256;
	ky_cache_entry *n = calloc(nc, sizeof *n);
	if (!n)
		return -1;
	for (size_t i = 0; i < set->cache_cap; i++) {
		ky_cache_entry *e = &set->cache[i];
		if (!e->text)
			continue;
		size_t j = e->hash & (nc - 1);
		while (n[j].text)
			j = (j + 1) & (nc - 1);
		n[j] = *e;
	}
	free(set->cache);
	set->cache = n;
	set->cache_cap = nc;
	return 0;
}

int ky_cache_add(gr_kyverno_set *set, const char *s, size_t len, gr_error *err)
{
	trim_ws(&s, &len);
	if (!len || memmem(s, len, "{{", 2))
		return 0;
	uint64_t h = hash_text(s, len);
	if (cache_find(set, s, len, h))
		return 0;
	if ((set->cache_len + 1) * 2 > set->cache_cap && cache_grow(set) != 0)
		return gr_error_set(err, 0, 0, "out of memory");
	size_t mask = set->cache_cap - 1, i = h & mask;
	while (set->cache[i].text)
		i = (i + 1) & mask;
	ky_cache_entry *e = &set->cache[i];
	if (memmem(s, len, "images", 6))
		set->uses_images = true;
	e->text = gr_arena_strndup(&set->arena, s, len);
	e->len = len;
	e->hash = h;
	gr_jp_error jerr;
	if (gr_jp_compile(s, len, set->functions, NULL, &e->prog, &jerr) != 0)
		e->prog = NULL; /* reported when evaluated, as Kyverno does */
	if (!parse_chain(&set->arena, s, len, &e->chain, &e->nchain))
		e->chain = NULL;
	set->cache_len++;
	return 0;
}

void ky_cache_collect(gr_kyverno_set *set, const gr_value *v, bool is_list_expr)
{
	if (!v)
		return;
	switch (v->type) {
	case GR_STRING: {
		if (is_list_expr) {
			ky_cache_add(set, v->u.s.ptr, v->u.s.len, NULL);
			return;
		}
		size_t st, en, from = 0;
		while (find_var(v->u.s.ptr, v->u.s.len, from, &st, &en)) {
			ky_cache_add(set, v->u.s.ptr + st + 2, en - st - 4, NULL);
			from = en;
		}
		break;
	}
	case GR_ARRAY:
		for (size_t i = 0; i < v->u.a.len; i++)
			ky_cache_collect(set, &v->u.a.items[i], false);
		break;
	case GR_OBJECT:
		for (size_t i = 0; i < v->u.o.len; i++) {
			gr_value k = gr_make_string_ref(v->u.o.members[i].key, v->u.o.members[i].key_len);
			ky_cache_collect(set, &k, false);
			ky_cache_collect(set, &v->u.o.members[i].value, false);
		}
		break;
	default: break;
	}
}

void ky_eval_free_dynamic(ky_eval *ev)
{
	for (size_t i = 0; i < ev->ndyn; i++)
		gr_jp_free(ev->dyn[i]);
	free(ev->dyn);
	ev->dyn = NULL;
	ev->ndyn = ev->capdyn = 0;
}

int ky_query(ky_eval *ev, const char *s, size_t len, gr_value *out)
{
	return ky_query_on(ev, s, len, &ev->ctx, out);
}

int ky_query_on(ky_eval *ev, const char *s, size_t len, const gr_value *input, gr_value *out)
{
	trim_ws(&s, &len);
	if (len == 1 && s[0] == '@') {
		ky_fail(ev, "variable {{@}} is only supported in mutate rules here");
		return -1;
	}
	uint64_t h = hash_text(s, len);
	const ky_cache_entry *e = cache_find(ev->set, s, len, h);
	const gr_jp_program *prog = e ? e->prog : NULL;
	if (e && e->chain) {
		const gr_value *cur = input;
		for (size_t i = 0; i < e->nchain; i++) {
			if (cur->type != GR_OBJECT) {
				*out = gr_null_value;
				return 0;
			}
			const gr_value *next = gr_get(cur, e->chain[i]);
			if (!next) {
				ky_fail(ev, "Unknown key \"%s\" in path", e->chain[i]);
				return 1;
			}
			cur = next;
		}
		*out = *cur;
		return 0;
	}
	gr_jp_error jerr;
	if (!prog) {
		gr_jp_program *p = NULL;
		if (gr_jp_compile(s, len, ev->set->functions, NULL, &p, &jerr) != 0) {
			ky_fail(ev, "invalid JMESPath expression \"%.*s\": %s", (int)(len > 200 ? 200 : len),
			        s, jerr.message);
			return -1;
		}
		if (ev->ndyn == ev->capdyn) {
			size_t nc = ev->capdyn ? ev->capdyn * 2 : 8;
			gr_jp_program **nd = realloc(ev->dyn, nc * sizeof *nd);
			if (!nd) {
				gr_jp_free(p);
				ev->oom = true;
				ky_fail(ev, "out of memory");
				return -1;
			}
			ev->dyn = nd;
			ev->capdyn = nc;
		}
		ev->dyn[ev->ndyn++] = p;
		/* a run-time expression that is a plain chain still raises NotFound */
		const char **chain;
		size_t nchain;
		if (parse_chain(ev->arena, s, len, &chain, &nchain)) {
			const gr_value *cur = input;
			for (size_t i = 0; i < nchain; i++) {
				if (cur->type != GR_OBJECT) {
					*out = gr_null_value;
					return 0;
				}
				const gr_value *next = gr_get(cur, chain[i]);
				if (!next) {
					ky_fail(ev, "Unknown key \"%s\" in path", chain[i]);
					return 1;
				}
				cur = next;
			}
			*out = *cur;
			return 0;
		}
		prog = p;
	}
	if (gr_jp_eval(prog, input, ev->arena, out, &jerr) != 0) {
		ky_fail(ev, "JMESPath query failed: %s", jerr.message);
		return -1;
	}
	return 0;
}

static const char *json_string(ky_eval *ev, const gr_value *v, size_t *len)
{
	if (v->type == GR_STRING) {
		*len = v->u.s.len;
		return v->u.s.ptr;
	}
	gr_buf b;
	gr_buf_init(&b);
	gr_write_json(&b, v, -1);
	char *s = gr_arena_strndup(ev->arena, b.data ? b.data : "", b.len);
	*len = b.len;
	gr_buf_free(&b);
	return s ? s : "";
}

const char *ky_value_string(ky_eval *ev, const gr_value *v)
{
	size_t len;
	return json_string(ev, v, &len);
}

/* Remove the backslash of escaped `\{{`. */
static gr_value unescape(ky_eval *ev, const char *s, size_t len)
{
	if (!memmem(s, len, "\\{{", 3))
		return gr_make_string_ref(s, len);
	char *o = gr_arena_alloc(ev->arena, len + 1);
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 2 < len && s[i + 1] == '{' && s[i + 2] == '{')
			continue;
		o[k++] = s[i];
	}
	o[k] = '\0';
	return gr_make_string_ref(o, k);
}

/* expr with every request.object replaced by request.oldObject */
static gr_value delete_rewrite(ky_eval *ev, const char *expr, size_t len)
{
	gr_buf b;
	gr_buf_init(&b);
	const char *p = expr, *end = expr + len;
	while (p < end) {
		const char *q = memmem(p, (size_t)(end - p), "request.object", 14);
		if (!q) {
			gr_buf_append(&b, p, (size_t)(end - p));
			break;
		}
		gr_buf_append(&b, p, (size_t)(q - p));
		gr_buf_puts(&b, "request.oldObject");
		p = q + 14;
	}
	char *s = gr_arena_strndup(ev->arena, b.data ? b.data : "", b.len);
	gr_value v = s ? gr_make_string_ref(s, b.len) : gr_make_string_ref(expr, len);
	gr_buf_free(&b);
	return v;
}

static int subst_string(ky_eval *ev, const gr_value *in, gr_value *out, int mode)
{
	const char *cur = in->u.s.ptr;
	size_t len = in->u.s.len;
	if (!memmem(cur, len, "{{", 2)) {
		*out = *in;
		return 0;
	}
	for (int iter = 0; iter < 100; iter++) {
		size_t st, en;
		if (!find_var(cur, len, 0, &st, &en)) {
			*out = unescape(ev, cur, len);
			out->line = in->line;
			out->column = in->column;
			return 0;
		}
		gr_value val;
		const char *expr = cur + st + 2;
		size_t elen = en - st - 4;
		/* a DELETE has no object: Kyverno reads request.oldObject instead */
		if (ev->operation && strcmp(ev->operation, "DELETE") == 0 &&
		    memmem(expr, elen, "request.object", 14)) {
			gr_value rewritten = delete_rewrite(ev, expr, elen);
			expr = rewritten.u.s.ptr;
			elen = rewritten.u.s.len;
		}
		int rc = ky_query(ev, expr, elen, &val);
		if (rc != 0) {
			if (ev->oom)
				return -1;
			if (mode == KY_SUBST_COND) {
				val = gr_make_string_ref("", 0);
			} else {
				char msg[sizeof ev->err];
				snprintf(msg, sizeof msg, "%s", ev->err);
				ky_fail(ev, "variable substitution failed for \"%.*s\": %s",
				        (int)(en - st > 200 ? 200 : en - st), cur + st, msg);
				return -1;
			}
		}
		if (st == 0 && en == len) {
			*out = val;
			if (out->line == 0) {
				out->line = in->line;
				out->column = in->column;
			}
			return 0;
		}
		size_t vl;
		const char *vs = json_string(ev, &val, &vl);
		size_t nl = st + vl + (len - en);
		if (nl > (1u << 20)) {
			ky_fail(ev, "variable substitution gives a string over 1 MiB");
			return -1;
		}
		char *n = gr_arena_alloc(ev->arena, nl + 1);
		if (!n) {
			ev->oom = true;
			ky_fail(ev, "out of memory");
			return -1;
		}
		memcpy(n, cur, st);
		memcpy(n + st, vs, vl);
		memcpy(n + st + vl, cur + en, len - en);
		n[nl] = '\0';
		cur = n;
		len = nl;
	}
	ky_fail(ev, "variable substitution did not terminate");
	return -1;
}

int ky_subst(ky_eval *ev, const gr_value *in, gr_value *out, int mode)
{
	if (!in) {
		*out = gr_null_value;
		return 0;
	}
	switch (in->type) {
	case GR_STRING: return subst_string(ev, in, out, mode);
	case GR_ARRAY:
		if (!ky_has_vars(in)) {
			*out = *in;
			return 0;
		}
		*out = *in;
		out->u.a.items = gr_arena_alloc(ev->arena, in->u.a.len * sizeof(gr_value));
		if (!out->u.a.items)
			return -1;
		for (size_t i = 0; i < in->u.a.len; i++)
			if (ky_subst(ev, &in->u.a.items[i], &out->u.a.items[i], mode))
				return -1;
		return 0;
	case GR_OBJECT:
		if (!ky_has_vars(in)) {
			*out = *in;
			return 0;
		}
		*out = *in;
		out->u.o.members = gr_arena_alloc(ev->arena, in->u.o.len * sizeof(gr_member));
		if (!out->u.o.members)
			return -1;
		for (size_t i = 0; i < in->u.o.len; i++) {
			gr_member *m = &out->u.o.members[i];
			*m = in->u.o.members[i];
			if (memmem(m->key, m->key_len, "{{", 2)) {
				gr_value k = gr_make_string_ref(m->key, m->key_len), kv;
				if (subst_string(ev, &k, &kv, mode))
					return -1;
				size_t kl;
				const char *ks = json_string(ev, &kv, &kl);
				gr_member_set_key(m, ks, kl);
			}
			if (ky_subst(ev, &in->u.o.members[i].value, &m->value, mode))
				return -1;
		}
		return 0;
	default: *out = *in; return 0;
	}
}

/* Copy of obj with path segs[0..n) set to v (objects created as needed). */
static int set_in(gr_arena *a, const gr_value *obj, const char *const *segs, const size_t *lens, size_t n,
                  const gr_value *v, gr_value *out)
{
	size_t len = obj && obj->type == GR_OBJECT ? obj->u.o.len : 0;
	gr_value o = gr_make_object(a, len + 1);
	if (o.type != GR_OBJECT)
		return -1;
	size_t k = 0;
	bool done = false;
	for (size_t i = 0; i < len; i++) {
		gr_member *m = &o.u.o.members[k++];
		*m = obj->u.o.members[i];
		if (!done && m->key_len == lens[0] && memcmp(m->key, segs[0], lens[0]) == 0) {
			done = true;
			if (n == 1)
				m->value = *v;
			else if (set_in(a, &obj->u.o.members[i].value, segs + 1, lens + 1, n - 1, v,
			                &m->value))
				return -1;
		}
	}
	if (!done) {
		gr_member *m = &o.u.o.members[k++];
		char *key = gr_arena_strndup(a, segs[0], lens[0]);
		if (!key)
			return -1;
		gr_member_set_key(m, key, lens[0]);
		if (n == 1)
			m->value = *v;
		else if (set_in(a, NULL, segs + 1, lens + 1, n - 1, v, &m->value))
			return -1;
	}
	o.u.o.len = k;
	*out = o;
	return 0;
}

int ky_ctx_set(ky_eval *ev, const char *name, size_t len, const gr_value *v)
{
	const char *segs[32];
	size_t lens[32], n = 0;
	const char *p = name, *end = name + len;
	while (p <= end && n < 32) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		const char *e = dot ? dot : end;
		segs[n] = p;
		lens[n++] = (size_t)(e - p);
		if (!dot)
			break;
		p = dot + 1;
	}
	gr_value nr;
	if (set_in(ev->arena, &ev->ctx, segs, lens, n, v, &nr)) {
		ev->oom = true;
		ky_fail(ev, "out of memory");
		return -1;
	}
	ev->ctx = nr;
	return 0;
}
