/*
 * image.c — image references parsed exactly per docker/distribution's
 * reference grammar (the one container runtimes use), and the image.*
 * rules: invalid references, digest pinning, registry allow/deny lists,
 * imagePullPolicy consistency with the tag, Docker Hub's implicit
 * library/ namespace.
 *
 *   reference  := name [":" tag] ["@" digest]
 *   name       := [domain "/"] path-component ["/" path-component]*
 *   domain     := host [":" port]   host := domain-name | IPv4 | "[" IPv6 "]"
 *   path-comp  := [a-z0-9]+ (([_.]|__|-+) [a-z0-9]+)*
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex   (validated as go-digest does:
 *                 sha256 64, sha384 96, sha512 128 lowercase hex digits)
 *
 * The first component is a domain when it contains '.' or ':', is
 * "localhost", or has an upper-case letter (splitDockerDomain); otherwise
 * docker.io is implied, and a one-component path gets library/.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "rules_int.h"

static int fail(gr_error *err, size_t at, const char *msg)
{
	if (err)
		return gr_error_set(err, 1, (uint32_t)at + 1, "%s", msg);
	return -1;
}

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component ("/" path-component)* over s[0..n) */
static bool valid_path(const char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		if (i >= n || !lower_alnum(s[i]))
			return false;
		while (i < n && lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] == '/') {
			i++;
			continue;
		}
		/* separator: [_.] | __ | -+ */
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return false;
	}
}

static bool valid_domain(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0)
		return false;
	if (s[0] == '[') { /* [IPv6] */
		const char *e = memchr(s, ']', n);
		if (!e || e == s + 1)
			return false;
		for (const char *p = s + 1; p < e; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return false;
		i = (size_t)(e - s) + 1;
	} else {
		for (;;) { /* domain-component ('.' domain-component)* */
			size_t st = i;
			while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-'))
				i++;
			if (i == st || s[st] == '-' || s[i - 1] == '-')
				return false;
			if (i < n && s[i] == '.') {
				i++;
				continue;
			}
			break;
		}
	}
	if (i == n)
		return true;
	if (s[i] != ':' || i + 1 == n)
		return false;
	for (i++; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int parse_digest(const char *d, gr_error *err, size_t at)
{
	const char *colon = strchr(d, ':');
	if (!colon || colon == d)
		return fail(err, at, "invalid digest: no algorithm");
	size_t alen = (size_t)(colon - d);
	/* algorithm := component ([+._-] component)*, component := [A-Za-z][A-Za-z0-9]* (grammar) */
	bool start = true;
	for (size_t i = 0; i < alen; i++) {
		char ch = d[i];
		if (start) {
			if (!isalpha((unsigned char)ch))
				return fail(err, at + i, "invalid digest algorithm");
			start = false;
		} else if (strchr("+._-", ch))
			start = true;
		else if (!isalnum((unsigned char)ch))
			return fail(err, at + i, "invalid digest algorithm");
	}
	if (start)
		return fail(err, at + alen, "invalid digest algorithm");
	const char *hex = colon + 1;
	size_t hlen = strlen(hex);
	if (hlen < 32)
		return fail(err, at + alen + 1, "invalid digest: fewer than 32 hex digits");
	for (size_t i = 0; i < hlen; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return fail(err, at + alen + 1 + i, "invalid digest: not hexadecimal");
	size_t want = 0;
	if (alen == 6 && strncmp(d, "sha256", 6) == 0)
		want = 64;
	else if (alen == 6 && strncmp(d, "sha384", 6) == 0)
		want = 96;
	else if (alen == 6 && strncmp(d, "sha512", 6) == 0)
		want = 128;
	else
		return fail(err, at, "unsupported digest algorithm");
	if (hlen != want)
		return fail(err, at + alen + 1, "invalid digest length");
	for (size_t i = 0; i < hlen; i++)
		if (isupper((unsigned char)hex[i]))
			return fail(err, at + alen + 1 + i, "invalid digest: upper-case hex");
	return 0;
}

int gr_image_ref_parse(const char *s, gr_image_ref *out, gr_error *err)
{
	memset(out, 0, sizeof *out);
	size_t n = strlen(s);
	if (n == 0)
		return fail(err, 0, "empty image reference");
	const char *at = strchr(s, '@');
	size_t name_end = at ? (size_t)(at - s) : n;
	if (at) {
		if (parse_digest(at + 1, err, name_end + 1) != 0)
			return -1;
		if (strlen(at + 1) >= sizeof out->digest)
			return fail(err, name_end + 1, "digest too long");
		strcpy(out->digest, at + 1);
	}
	/* tag: after the last ':' that follows the last '/' */
	const char *slash = NULL;
	for (size_t i = 0; i < name_end; i++)
		if (s[i] == '/')
			slash = s + i;
	const char *colon = NULL;
	for (const char *p = slash ? slash : s; p < s + name_end; p++)
		if (*p == ':')
			colon = p;
	size_t repo_end = name_end;
	if (colon) {
		size_t tl = (size_t)(s + name_end - colon - 1);
		const char *t = colon + 1;
		if (tl == 0 || tl > 128)
			return fail(err, (size_t)(t - s), "invalid tag");
		if (!(isalnum((unsigned char)t[0]) || t[0] == '_'))
			return fail(err, (size_t)(t - s), "invalid tag");
		for (size_t i = 1; i < tl; i++)
			if (!(isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
				return fail(err, (size_t)(t - s) + i, "invalid tag");
		memcpy(out->tag, t, tl);
		repo_end = (size_t)(colon - s);
	}
	if (repo_end == 0)
		return fail(err, 0, "invalid reference format: no repository name");
	if (repo_end > 255)
		return fail(err, 255, "repository name must not be more than 255 characters");
	/* domain split */
	const char *first = memchr(s, '/', repo_end);
	size_t flen = first ? (size_t)(first - s) : 0;
	bool has_domain = false;
	if (first) {
		bool upper = false;
		for (size_t i = 0; i < flen; i++)
			upper |= isupper((unsigned char)s[i]) != 0;
		has_domain = memchr(s, '.', flen) || memchr(s, ':', flen) ||
		             (flen == 9 && !strncmp(s, "localhost", 9)) || upper;
	}
	const char *path = s;
	size_t plen = repo_end;
	if (has_domain) {
		if (!valid_domain(s, flen))
			return fail(err, 0, "invalid reference format: invalid domain");
		memcpy(out->domain, s, flen);
		path = first + 1;
		plen = repo_end - flen - 1;
	} else {
		strcpy(out->domain, "docker.io");
		out->implicit_domain = true;
	}
	for (size_t i = 0; i < plen; i++)
		if (isupper((unsigned char)path[i]))
			return fail(err, (size_t)(path - s) + i,
			            "invalid reference format: repository name must be lowercase");
	if (!valid_path(path, plen))
		return fail(err, (size_t)(path - s), "invalid reference format");
	if (strcmp(out->domain, "index.docker.io") == 0)
		strcpy(out->domain, "docker.io");
	bool library = strcmp(out->domain, "docker.io") == 0 && !memchr(path, '/', plen);
	/* copied by hand, truncated as snprintf would: every rule on every
	 * image parses it (bench/serve.sh) */
	size_t o = 0;
	if (library) {
		out->implicit_library = true;
		memcpy(out->path, "library/", 8);
		o = 8;
	}
	if (plen > sizeof out->path - 1 - o)
		plen = sizeof out->path - 1 - o;
	memcpy(out->path + o, path, plen);
	out->path[o + plen] = '\0';
	return 0;
}

/* ---- rules ---- */

bool gri_rules_file_digest_ns(const gr_rules_file *f, const char *ns);

/* "registry.example.com" or "registry.example.com/team" matches domain/path. */
static bool registry_matches(const char *entry, const gr_image_ref *r)
{
	char full[600]; /* domain (< 256) + '/' + path (< 272) always fits */
	size_t dl = strlen(r->domain), pl = strlen(r->path);
	memcpy(full, r->domain, dl);
	full[dl] = '/';
	memcpy(full + dl + 1, r->path, pl + 1);
	size_t n = strlen(entry);
	while (n && entry[n - 1] == '/')
		n--;
	if (n == 0)
		return false;
	return strncmp(full, entry, n) == 0 && (full[n] == '/' || full[n] == '\0');
}

static void image_rules(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		const gr_value *iv = gr_get(k.node, "image");
		const char *img = rl_str(iv);
		if (!img)
			continue;
		rl_judged(c);
		/* a rule its options switch off has nothing to parse (every image
		 * rule runs on every container of every review in the webhook) */
		int param = c->rule->param;
		if ((param == 1 && !c->opt->require_digest &&
		     !gri_rules_file_digest_ns(c->opt->file, c->obj->namespace_)) ||
		    (param == 2 && !c->opt->nallowed_registries) ||
		    (param == 3 && !c->opt->ndenied_registries) ||
		    (param == 4 && !rl_str(gr_get(k.node, "imagePullPolicy"))) ||
		    (param >= 5 && !c->opt->require_qualified))
			continue;
		gr_image_ref r;
		gr_error err;
		gr_error_clear(&err);
		bool ok = gr_image_ref_parse(img, &r, &err) == 0;
		const char *path = rl_cpath(c, &k, ".image");
		switch (param) {
		case 0:
			if (!ok)
				rl_emit(c, path, iv,
				        "container \"%s\": image \"%s\" is not a valid reference: %s (column "
				        "%u)",
				        k.name, img, err.message, err.column);
			break;
		case 1:
			if (ok && !r.digest[0] &&
			    (c->opt->require_digest ||
			     gri_rules_file_digest_ns(c->opt->file, c->obj->namespace_)))
				rl_emit(c, path, iv, "container \"%s\": image \"%s\" is not pinned by digest",
				        k.name, img);
			break;
		case 2:
			if (ok && c->opt->nallowed_registries) {
				bool allowed = false;
				for (size_t i = 0; i < c->opt->nallowed_registries && !allowed; i++)
					allowed = registry_matches(c->opt->allowed_registries[i], &r);
				if (!allowed)
					rl_emit(c, path, iv,
					        "container \"%s\": image \"%s\" comes from %s, not an "
					        "allowed registry",
					        k.name, img, r.domain);
			}
			break;
		case 3:
			for (size_t i = 0; ok && i < c->opt->ndenied_registries; i++)
				if (registry_matches(c->opt->denied_registries[i], &r)) {
					rl_emit(c, path, iv,
					        "container \"%s\": image \"%s\" comes from denied registry "
					        "%s",
					        k.name, img, c->opt->denied_registries[i]);
					break;
				}
			break;
		case 4: {
			const gr_value *pp = gr_get(k.node, "imagePullPolicy");
			const char *p = rl_str(pp);
			bool mutable_tag = ok && !r.digest[0] && (!r.tag[0] || strcmp(r.tag, "latest") == 0);
			if (mutable_tag && p && strcmp(p, "Always") != 0)
				rl_emit(c, rl_cpath(c, &k, ".imagePullPolicy"), pp,
				        "container \"%s\": imagePullPolicy %s with the mutable tag %s: nodes "
				        "keep whatever "
				        "version they pulled first",
				        k.name, p, r.tag[0] ? r.tag : "(latest)");
			break;
		}
		default:
			if (ok && c->opt->require_qualified && (r.implicit_domain || r.implicit_library))
				rl_emit(c, path, iv,
				        "container \"%s\": image \"%s\" is not fully qualified (means "
				        "docker.io/%s)",
				        k.name, img, r.path);
		}
	}
}

#define IMG(id, sev, act, on, summary, fix, up, param)                                                       \
	{                                                                                                    \
		{"image." id, "image", sev, act, on, summary, fix, up, "docs/rules/image.md#image" id},      \
		        image_rules, param, NULL                                                             \
	}

const rl_rule rl_pack_image[] = {
        IMG("invalid", GR_SEV_ERROR, GR_ACTION_ENFORCE, true, "an image reference does not parse",
            "write [registry[:port]/]path[:tag][@sha256:<64 hex>] with a lower-case path", "", 0),
        IMG("digest", GR_SEV_ERROR, GR_ACTION_ENFORCE, true,
            "an image is not pinned by digest (when required)",
            "append @sha256:<digest> to the image (crane digest / docker buildx imagetools inspect)", "", 1),
        IMG("registry-allowed", GR_SEV_ERROR, GR_ACTION_ENFORCE, true,
            "an image comes from a registry not on the allow-list",
            "pull the image from an allowed registry (mirror it there)", "", 2),
        IMG("registry-denied", GR_SEV_ERROR, GR_ACTION_ENFORCE, true, "an image comes from a denied registry",
            "pull the image from another registry", "", 3),
        IMG("pull-policy", GR_SEV_WARNING, GR_ACTION_WARN, true,
            "imagePullPolicy IfNotPresent/Never with a mutable tag",
            "pin the image to a version or digest, or set imagePullPolicy: Always",
            "kube-score:container-image-pull-policy", 4),
        IMG("unqualified", GR_SEV_WARNING, GR_ACTION_WARN, true,
            "an image relies on Docker Hub's implicit registry or library/ namespace (when required)",
            "write the full name, e.g. docker.io/library/nginx:1.27", "", 5),
        RL_PACK_END,
};
