/*
 * kube_linter_custom.c — kube-linter custom checks: a .kube-linter.yaml's
 * customChecks whose template is one of kube-linter's that maps onto an
 * object's metadata: required-annotation, required-label,
 * forbidden-annotation, forbidden-label, and
 * statefulset-volumeclaimtemplate-annotation. Parameters are Go regular
 * expressions (guardrail's regex engine has Go's syntax); a value starting
 * with '!' matches what the rest does not match, as kube-linter's matcher.
 * Scope: scope.objectKinds ("DeploymentLike", "Any", or kinds), default
 * DeploymentLike.
 */
#include <stdio.h>
#include <stdlib.h>

#include "guardrail/regex.h"
#include "rules_int.h"

/* 1 when pattern (NULL or "": anything) matches s; '!' negates. */
static int match(const char *pattern, const char *s)
{
	if (!pattern || !*pattern)
		return 1;
	bool neg = pattern[0] == '!';
	const char *p = neg ? pattern + 1 : pattern;
	size_t n = strlen(p);
	while (n && (p[n - 1] == '\n' || p[n - 1] == ' '))
		n--; /* block scalars end with a newline */
	gr_regex *re = gr_regex_compile(p, n, NULL, NULL);
	if (!re)
		return 0; /* an invalid pattern matches nothing */
	gr_regex_scratch *sc = gr_regex_scratch_new();
	int m = sc ? gr_regex_match(re, s ? s : "", s ? strlen(s) : 0, sc) : 0;
	gr_regex_scratch_free(sc);
	gr_regex_free(re);
	return m == 1 ? !neg : neg;
}

static bool in_scope(const rl_ctx *c, const rl_custom *k)
{
	if (!k->nkinds)
		return c->obj->pod_spec != NULL;
	for (size_t i = 0; i < k->nkinds; i++) {
		const char *s = k->kinds[i];
		if (!strcmp(s, "Any") || !strcmp(s, c->obj->kind) ||
		    (!strcmp(s, "DeploymentLike") && c->obj->pod_spec))
			return true;
	}
	return false;
}

/* Does map m hold a key matching k->key whose value matches k->value? */
static bool has_matching(const gr_value *m, const rl_custom *k)
{
	for (size_t i = 0; m && m->type == GR_OBJECT && i < m->u.o.len; i++)
		if (match(k->key, m->u.o.members[i].key) && match(k->value, rl_str(&m->u.o.members[i].value)))
			return true;
	return false;
}

static void required_meta(rl_ctx *c, bool labels)
{
	const rl_custom *k = c->rule->data;
	if (!in_scope(c, k))
		return;
	rl_judged(c);
	if (!has_matching(labels ? rl_labels(c->obj) : rl_annotations(c->obj), k))
		rl_emit(c, labels ? "metadata.labels" : "metadata.annotations", c->obj->root,
		        "no %s matching \"%s=%s\" found", labels ? "label" : "annotation",
		        k->key ? k->key : "", k->value && *k->value ? k->value : "<any>");
}

static void forbidden_meta(rl_ctx *c, bool labels)
{
	const rl_custom *k = c->rule->data;
	if (!in_scope(c, k))
		return;
	rl_judged(c);
	const gr_value *m = labels ? rl_labels(c->obj) : rl_annotations(c->obj);
	for (size_t i = 0; m && m->type == GR_OBJECT && i < m->u.o.len; i++)
		if (match(k->key, m->u.o.members[i].key) && match(k->value, rl_str(&m->u.o.members[i].value)))
			rl_emit(c, labels ? "metadata.labels" : "metadata.annotations",
			        &m->u.o.members[i].value, "forbidden %s found: %s=%s",
			        labels ? "label" : "annotation", m->u.o.members[i].key,
			        rl_str(&m->u.o.members[i].value) ? m->u.o.members[i].value.u.s.ptr : "");
}

static void required_annotation(rl_ctx *c)
{
	required_meta(c, false);
}
static void required_label(rl_ctx *c)
{
	required_meta(c, true);
}
static void forbidden_annotation(rl_ctx *c)
{
	forbidden_meta(c, false);
}
static void forbidden_label(rl_ctx *c)
{
	forbidden_meta(c, true);
}

static void sts_vct_annotation(rl_ctx *c)
{
	const rl_custom *k = c->rule->data;
	if (!rl_kind(c->obj, "StatefulSet"))
		return;
	rl_judged(c);
	const gr_value *vct = gr_get_path(c->obj->root, "spec", "volumeClaimTemplates", NULL);
	for (size_t i = 0; vct && vct->type == GR_ARRAY && i < vct->u.a.len; i++) {
		const gr_value *ann = gr_get_path(&vct->u.a.items[i], "metadata", "annotations", NULL);
		if (!k->annotation || !gr_get(ann, k->annotation)) {
			char path[64];
			snprintf(path, sizeof path, "spec.volumeClaimTemplates[%zu].metadata", i);
			rl_emit(c, path, &vct->u.a.items[i],
			        "StatefulSet's VolumeClaimTemplate is missing required annotation: %s",
			        k->annotation ? k->annotation : "");
		}
	}
}

rl_fn rl_custom_template(const char *name)
{
	static const struct {
		const char *name;
		rl_fn fn;
	} t[] = {
	        {"required-annotation", required_annotation},
	        {"required-label", required_label},
	        {"forbidden-annotation", forbidden_annotation},
	        {"forbidden-label", forbidden_label},
	        {"statefulset-volumeclaimtemplate-annotation", sts_vct_annotation},
	};
	for (size_t i = 0; name && i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(t[i].name, name))
			return t[i].fn;
	return NULL;
}
