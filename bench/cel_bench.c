/*
 * cel_bench.c — CEL speed, figures only (nothing passes or fails):
 *
 *   1. typical rules alone: `self.replicas <= self.maxReplicas` and an
 *      `all()` over containers, evaluated a million times over one typed
 *      object (ns per evaluation);
 *   2. the corpus: every CRD among the files named on the command line
 *      compiled once (gr_cel_crd_new), then every custom resource of the
 *      files validated against its CRD's rules (gr_cel_crd_validate).
 *
 *   build/bench/cel_bench $(find ../shared/corpus -name '*.yaml')
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "guardrail/cel.h"
#include "guardrail/object.h"

/* CPU time of this thread: the machine may be shared, wall time would
 * count the other processes' turns. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double typical(const char *rule, const char *schema_json, const char *obj_json, int iters)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_value schema, obj;
	gr_error e;
	if (gr_decode_json(&a, schema_json, strlen(schema_json), NULL, &schema, &e) ||
	    gr_decode_json(&a, obj_json, strlen(obj_json), NULL, &obj, &e))
		return -1;
	gr_cel_schema *s = gr_cel_schema_new(&schema, false, NULL);
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.homogeneous_literals = true;
	gr_cel_env *env = gr_cel_env_new(&o);
	gr_cel_env_declare(env, "self", gr_cel_schema_root(s));
	gr_cel_program *p;
	gr_cel_error err;
	if (gr_cel_compile(env, rule, strlen(rule), &p, &err)) {
		fprintf(stderr, "%s: %s\n", rule, err.message);
		return -1;
	}
	gr_cel_value self = gr_cel_typed(gr_cel_schema_root(s), &obj), r;
	gr_arena ea;
	gr_arena_init(&ea);
	int ok = 1;
	double t0 = cpu_now();
	for (int i = 0; i < iters; i++) {
		if (gr_cel_eval(p, &self, 1, &ea, &r, NULL, &err) || r.kind != GR_CEL_BOOL || !r.u.b)
			ok = 0;
		if ((i & 1023) == 0) {
			gr_arena_free(&ea);
			gr_arena_init(&ea);
		}
	}
	double t = cpu_now() - t0;
	gr_arena_free(&ea);
	gr_cel_free(p);
	gr_cel_env_free(env);
	gr_cel_schema_free(s);
	gr_arena_free(&a);
	return ok ? t / iters * 1e9 : -1;
}

typedef struct crd_entry {
	char group[128], version[64], kind[128];
	gr_cel_crd *crd;
} crd_entry;

int main(int argc, char **argv)
{
	int iters = 1000000;
	const char *scale_schema = "{\"type\":\"object\",\"properties\":{\"replicas\":{\"type\":\"integer\"},"
	                           "\"maxReplicas\":{\"type\":\"integer\"}}}";
	double t1 = typical("self.replicas <= self.maxReplicas", scale_schema,
	                    "{\"replicas\":3,\"maxReplicas\":5}", iters);
	const char *pod_schema =
	        "{\"type\":\"object\",\"properties\":{\"containers\":{\"type\":\"array\",\"items\":{\"type\":"
	        "\"object\","
	        "\"properties\":{\"name\":{\"type\":\"string\"},\"image\":{\"type\":\"string\"}}}}}}";
	const char *pod = "{\"containers\":[{\"name\":\"app\",\"image\":\"registry.local/app:1\"},"
	                  "{\"name\":\"sidecar\",\"image\":\"registry.local/proxy:2\"}]}";
	double t2 = typical("self.containers.all(c, c.image.startsWith('registry.local/'))", pod_schema, pod,
	                    iters);
	printf("typical rule `self.replicas <= self.maxReplicas`: %.0f ns CPU per evaluation\n", t1);
	printf("typical rule `self.containers.all(c, c.image.startsWith(...))` (2 containers): %.0f ns CPU "
	       "per evaluation\n",
	       t2);

	bench_files f = bench_read_args(argc, argv);
	if (!f.n)
		return 0;
	gr_arena a;
	gr_arena_init(&a);
	gr_object **objs = NULL;
	size_t nobj = 0, capobj = 0;
	for (size_t i = 0; i < f.n; i++) {
		if (!f.data[i])
			continue;
		gr_document *docs;
		size_t nd;
		gr_error err;
		gr_decode(&a, f.data[i], f.len[i], NULL, &docs, &nd, &err);
		for (size_t d = 0; d < nd; d++) {
			gr_object *os;
			size_t no;
			if (gr_objects_from_document(&a, &docs[d], argv[i + 1], &os, &no))
				continue;
			for (size_t k = 0; k < no; k++) {
				if (nobj == capobj) {
					capobj = capobj ? capobj * 2 : 1024;
					objs = realloc(objs, capobj * sizeof *objs);
				}
				objs[nobj++] = &os[k];
			}
		}
	}
	crd_entry *crds = NULL;
	size_t ncrd = 0, capcrd = 0, rules = 0;
	double c0 = bench_now();
	for (size_t i = 0; i < nobj; i++) {
		const gr_value *root = objs[i]->root;
		const char *kind = gr_get_str(root, "kind");
		if (!kind || strcmp(kind, "CustomResourceDefinition"))
			continue;
		const gr_value *spec = gr_get(root, "spec");
		const char *group = gr_get_str(spec, "group"), *k = gr_get_str(gr_get(spec, "names"), "kind");
		const gr_value *versions = gr_get(spec, "versions");
		if (!group || !k || !gr_is(versions, GR_ARRAY))
			continue;
		for (size_t v = 0; v < versions->u.a.len; v++) {
			const gr_value *ver = &versions->u.a.items[v];
			const gr_value *s = gr_get_path(ver, "schema", "openAPIV3Schema", NULL);
			const char *vn = gr_get_str(ver, "name");
			if (!s || !vn)
				continue;
			gr_cel_crd_options o;
			memset(&o, 0, sizeof o);
			o.is_root = true;
			gr_cel_crd *c = gr_cel_crd_new(s, &o, NULL);
			if (!c)
				continue;
			if (!gr_cel_crd_rule_count(c)) {
				gr_cel_crd_free(c);
				continue;
			}
			if (ncrd == capcrd) {
				capcrd = capcrd ? capcrd * 2 : 64;
				crds = realloc(crds, capcrd * sizeof *crds);
			}
			crd_entry *e = &crds[ncrd++];
			snprintf(e->group, sizeof e->group, "%s", group);
			snprintf(e->version, sizeof e->version, "%s", vn);
			snprintf(e->kind, sizeof e->kind, "%s", k);
			e->crd = c;
			rules += gr_cel_crd_rule_count(c);
		}
	}
	double compile_s = bench_now() - c0;
	size_t validated = 0, violations = 0;
	double v0 = bench_now();
	for (size_t i = 0; i < nobj; i++) {
		const gr_object *o = objs[i];
		for (size_t k = 0; k < ncrd; k++) {
			if (strcmp(crds[k].kind, o->kind) || strcmp(crds[k].group, o->group) ||
			    strcmp(crds[k].version, o->version))
				continue;
			gr_arena va;
			gr_arena_init(&va);
			gr_cel_violation *v;
			size_t n;
			gr_cel_crd_validate(crds[k].crd, o->root, NULL, "", &va, &v, &n, NULL);
			violations += n;
			validated++;
			gr_arena_free(&va);
			break;
		}
	}
	double validate_s = bench_now() - v0;
	printf("corpus: %zu files, %zu objects; %zu CRD versions with %zu rules compiled in %.1f ms (%.1f us "
	       "per rule)\n",
	       f.n, nobj, ncrd, rules, compile_s * 1e3, rules ? compile_s * 1e6 / (double)rules : 0);
	printf("corpus: %zu custom resources validated in %.2f ms (%.1f us per resource), %zu violations\n",
	       validated, validate_s * 1e3, validated ? validate_s * 1e6 / (double)validated : 0, violations);
	for (size_t k = 0; k < ncrd; k++)
		gr_cel_crd_free(crds[k].crd);
	free(crds);
	free(objs);
	gr_arena_free(&a);
	return 0;
}
