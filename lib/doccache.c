/*
 * doccache.c — pruned OpenAPI documents cached on disk (see doccache.h).
 *
 * Pruning walks schemas structurally: `description` is dropped only where
 * it annotates a schema, never inside `properties` (where it may be a field
 * name, as PriorityClass.description is) nor inside `default`, `enum` or
 * `example` values. The entry is compact JSON whose first member `key`
 * repeats the identity of its sources, checked on read, so a hash collision
 * or a foreign file is a miss, not a wrong schema.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doccache.h"
#include "guardrail/buf.h"
#include "guardrail/decode.h"
#include "internal.h"
#include "pipeline.h"

#define CACHE_FORMAT "guardrail-doccache-2"
#define ENTRY_MAGIC  "GRDC2\n"
#define MAGIC_LEN    6
#define BLOB_SEED    0x67726463626c6f62ULL /* the blob hash's key: "grdcblob" */

/* The cache folder: the caller's (the schema engine's cache-dir option). */
static int cache_dir(const char *cache, char *out, size_t cap)
{
	if (!cache || !*cache)
		return -1;
	int n = snprintf(out, cap, "%s", cache);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* mkdir -p for the cache folder (mode 0755). */
static int ensure_dir(const char *dir)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

/* Identity of the sources: format, then path:size:mtime of each. */
static int source_key(const char *const *sources, size_t n, gr_buf *key)
{
	gr_buf_puts(key, CACHE_FORMAT);
	for (size_t i = 0; i < n; i++) {
		if (!sources[i])
			continue;
		struct stat st;
		if (stat(sources[i], &st))
			return -1;
		char *real = realpath(sources[i], NULL);
		gr_buf_printf(key, "|%s:%lld:%lld.%09ld", real ? real : sources[i], (long long)st.st_size,
		              (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
		free(real);
	}
	return key->failed ? -1 : 0;
}

static int entry_path(const char *cache, const gr_buf *key, char *out, size_t cap)
{
	char dir[4000];
	if (cache_dir(cache, dir, sizeof dir))
		return -1;
	uint64_t h = gr_hash_bytes(GR_HASH_SEED, key->data, key->len);
	int n = snprintf(out, cap, "%s/%016llx.gdc", dir, (unsigned long long)h);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t x = 0;
	for (int i = n - 1; i >= 0; i--)
		x = x << 8 | p[i];
	return x;
}

static void put_le(gr_buf *b, uint64_t x, int n)
{
	char c[8];
	for (int i = 0; i < n; i++, x >>= 8)
		c[i] = (char)(x & 0xff);
	gr_buf_append(b, c, (size_t)n);
}

bool gri_doccache_get(const char *cache, gr_arena *a, const char *const *sources, size_t nsources,
                      gr_value *out)
{
	return gri_doccache_get_blob(cache, a, sources, nsources, out, NULL, NULL);
}

bool gri_doccache_get_blob(const char *cache, gr_arena *a, const char *const *sources, size_t nsources,
                           gr_value *out, unsigned char **blob, size_t *blob_len)
{
	gr_buf key;
	gr_buf_init(&key);
	char path[4096];
	bool hit = false;
	if (!cache || source_key(sources, nsources, &key) || entry_path(cache, &key, path, sizeof path))
		goto done;
	char *data;
	size_t len;
	gr_error err;
	if (gr_read_file(path, (size_t)64 * 1024 * 1024, &data, &len, &err))
		goto done;
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	if ((size_t)(end - p) < MAGIC_LEN + 4 || memcmp(p, ENTRY_MAGIC, MAGIC_LEN))
		goto bad;
	p += MAGIC_LEN;
	uint64_t klen = get_le(p, 4);
	p += 4;
	if ((uint64_t)(end - p) < klen + 16 || klen != key.len || memcmp(p, key.data, key.len))
		goto bad;
	p += klen;
	uint64_t blen = get_le(p, 8), sum = get_le(p + 8, 8);
	p += 16;
	if ((uint64_t)(end - p) != blen || gri_hash_words((const char *)p, blen, BLOB_SEED) != sum)
		goto bad;
	gr_value v;
	if (gri_blob_decode(a, p, blen, &v) == 0) {
		*out = v;
		hit = true;
		if (blob) { /* the entry's bytes, moved to the front of the buffer read */
			memmove(data, p, blen);
			*blob = (unsigned char *)data;
			*blob_len = blen;
			data = NULL;
		}
	}
bad:
	free(data);
done:
	gr_buf_free(&key);
	return hit;
}

void gri_doccache_put(const char *cache, const char *const *sources, size_t nsources, const gr_value *doc)
{
	gr_buf key, body;
	gr_buf_init(&key);
	gr_buf_init(&body);
	char path[4096], dir[4000], tmp[4200];
	if (!cache || source_key(sources, nsources, &key) || entry_path(cache, &key, path, sizeof path) ||
	    cache_dir(cache, dir, sizeof dir) || ensure_dir(dir))
		goto done;
	unsigned char *blob;
	size_t blen;
	if (key.len > UINT32_MAX || gri_blob_encode(doc, &blob, &blen))
		goto done;
	gr_buf_append(&body, ENTRY_MAGIC, MAGIC_LEN);
	put_le(&body, key.len, 4);
	gr_buf_append(&body, key.data, key.len);
	put_le(&body, blen, 8);
	put_le(&body, gri_hash_words((const char *)blob, blen, BLOB_SEED), 8);
	gr_buf_append(&body, (const char *)blob, blen);
	free(blob);
	if (body.failed)
		goto done;
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		goto done;
	size_t off = 0;
	while (off < body.len) {
		ssize_t w = write(fd, body.data + off, body.len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (close(fd) == 0 && off == body.len)
		rename(tmp, path);
	else
		unlink(tmp);
done:
	gr_buf_free(&key);
	gr_buf_free(&body);
}

/* ---- pruning ---- */

static gr_value prune_schema(gr_arena *a, const gr_value *s, int depth);

static bool is_key(const gr_member *m, const char *k)
{
	size_t n = strlen(k);
	return m->key_len == n && memcmp(m->key, k, n) == 0;
}

/* A map of name -> schema (properties, patternProperties, schemas). */
static gr_value prune_map(gr_arena *a, const gr_value *m, int depth)
{
	if (m->type != GR_OBJECT)
		return *m;
	gr_value out = gr_make_object(a, m->u.o.len);
	if (out.type != GR_OBJECT)
		return *m;
	out.line = m->line;
	out.column = m->column;
	for (size_t i = 0; i < m->u.o.len; i++) {
		out.u.o.members[i] = m->u.o.members[i];
		out.u.o.members[i].value = prune_schema(a, &m->u.o.members[i].value, depth + 1);
	}
	return out;
}

static gr_value prune_list(gr_arena *a, const gr_value *l, int depth)
{
	if (l->type != GR_ARRAY)
		return prune_schema(a, l, depth);
	gr_value out = gr_make_array(a, l->u.a.len);
	if (out.type != GR_ARRAY)
		return *l;
	for (size_t i = 0; i < l->u.a.len; i++)
		out.u.a.items[i] = prune_schema(a, &l->u.a.items[i], depth + 1);
	return out;
}

static gr_value prune_schema(gr_arena *a, const gr_value *s, int depth)
{
	if (s->type != GR_OBJECT || depth > 256)
		return *s;
	size_t keep = 0;
	for (size_t i = 0; i < s->u.o.len; i++)
		if (!(is_key(&s->u.o.members[i], "description") && s->u.o.members[i].value.type == GR_STRING))
			keep++;
	gr_value out = gr_make_object(a, keep);
	if (keep && out.type != GR_OBJECT)
		return *s;
	out.type = GR_OBJECT;
	out.line = s->line;
	out.column = s->column;
	size_t k = 0;
	for (size_t i = 0; i < s->u.o.len; i++) {
		const gr_member *m = &s->u.o.members[i];
		if (is_key(m, "description") && m->value.type == GR_STRING)
			continue;
		gr_member c = *m;
		if (is_key(m, "properties") || is_key(m, "patternProperties"))
			c.value = prune_map(a, &m->value, depth);
		else if (is_key(m, "items") || is_key(m, "additionalProperties") || is_key(m, "not") ||
		         is_key(m, "allOf") || is_key(m, "anyOf") || is_key(m, "oneOf"))
			c.value = prune_list(a, &m->value, depth);
		out.u.o.members[k++] = c;
	}
	out.u.o.len = k;
	return out;
}

/* paths: only namespaced ones, each operation reduced to its GVK (what
 * tells whether a kind is namespaced). */
static gr_value prune_paths(gr_arena *a, const gr_value *paths)
{
	if (!paths || paths->type != GR_OBJECT)
		return gr_make_object(a, 0);
	size_t keep = 0;
	for (size_t i = 0; i < paths->u.o.len; i++)
		if (strstr(paths->u.o.members[i].key, "/namespaces/{namespace}/"))
			keep++;
	gr_value out = gr_make_object(a, keep);
	if (keep && out.type != GR_OBJECT)
		return *paths;
	out.type = GR_OBJECT;
	size_t k = 0;
	for (size_t i = 0; i < paths->u.o.len; i++) {
		const gr_member *pm = &paths->u.o.members[i];
		if (!strstr(pm->key, "/namespaces/{namespace}/"))
			continue;
		gr_member c = *pm;
		c.value = gr_make_object(a, 0);
		if (pm->value.type == GR_OBJECT) {
			size_t nops = 0;
			for (size_t j = 0; j < pm->value.u.o.len; j++)
				if (gr_get(&pm->value.u.o.members[j].value,
				           "x-kubernetes-group-version-kind"))
					nops++;
			gr_value ops = gr_make_object(a, nops);
			size_t o = 0;
			for (size_t j = 0; j < pm->value.u.o.len && ops.type == GR_OBJECT; j++) {
				const gr_member *op = &pm->value.u.o.members[j];
				const gr_member *g =
				        gr_get_member(&op->value, "x-kubernetes-group-version-kind", 31);
				if (!g)
					continue;
				gr_value one = gr_make_object(a, 1);
				if (one.type != GR_OBJECT)
					break;
				one.u.o.members[0] = *g;
				ops.u.o.members[o] = *op;
				ops.u.o.members[o].value = one;
				o++;
			}
			if (ops.type == GR_OBJECT) {
				ops.u.o.len = o;
				c.value = ops;
			}
		}
		out.u.o.members[k++] = c;
	}
	out.u.o.len = k;
	return out;
}

gr_value gri_openapi_prune(gr_arena *a, const gr_value *doc)
{
	const gr_value *schemas = gr_get_path(doc, "components", "schemas", NULL);
	gr_value pruned = schemas ? prune_map(a, schemas, 0) : gr_make_object(a, 0);
	gr_value comps = gr_make_object(a, 1);
	gr_value root = gr_make_object(a, 2);
	if (comps.type != GR_OBJECT || root.type != GR_OBJECT)
		return *doc;
	comps.u.o.members[0] = (gr_member){
	        .key = "schemas", .key_len = 7, .key_head = gr_key_head("schemas", 7), .value = pruned};
	root.u.o.members[0] = (gr_member){.key = "components",
	                                  .key_len = 10,
	                                  .key_head = gr_key_head("components", 10),
	                                  .value = comps};
	root.u.o.members[1] = (gr_member){.key = "paths",
	                                  .key_len = 5,
	                                  .key_head = gr_key_head("paths", 5),
	                                  .value = prune_paths(a, gr_get(doc, "paths"))};
	return root;
}
