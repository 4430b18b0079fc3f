/*
 * fuzz_authz.c — libFuzzer harness for the authz file (lib/authz/file.c)
 * and the RBAC authorizer (lib/authz/rbac.c): the bytes are parsed as an
 * authz file (user, RBAC objects, aggregation rules resolved); when they
 * parse, a few resource and non-resource checks run against them, through
 * the CEL library too. Never a crash; an error always has a message and a
 * file; a decision always has a reason (possibly "").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/authz.h"
#include "guardrail/cel.h"

static void ask(const gr_authz *a, const char *verb, bool resource, const char *group, const char *res,
                const char *sub, const char *ns, const char *name, const char *path)
{
	gr_arena ar;
	gr_arena_init(&ar);
	gr_authz_attributes at = {.user = gr_authz_user_info(a),
	                          .verb = verb,
	                          .resource_request = resource,
	                          .path = path,
	                          .group = group,
	                          .version = "*",
	                          .resource = res,
	                          .subresource = sub,
	                          .namespace_ = ns,
	                          .name = name,
	                          .field_selector = "",
	                          .label_selector = ""};
	gr_authorizer az = gr_rbac_authorizer(gr_authz_rbac(a));
	const char *reason = NULL, *error = NULL;
	az.authorize(az.self, &at, &ar, &reason, &error);
	if (!reason)
		abort();
	gr_arena_free(&ar);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	gr_authz *a = NULL;
	gr_error err;
	if (gr_authz_parse("fuzz.yaml", text, size, &a, &err) != 0) {
		if (!err.message[0] || !err.file[0])
			abort();
		free(text);
		return 0;
	}
	ask(a, "get", true, "", "pods", "", "default", "web", "");
	ask(a, "patch", true, "apps", "deployments", "scale", "team", "", "");
	ask(a, "list", true, "", "secrets", "", "", "", "");
	ask(a, "get", false, "", "", "", "", "", "/healthz/etcd");
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	gr_cel_env *env = gr_cel_env_new(&o);
	gr_cel_env_declare_object(env, "authorizer", GR_CEL_OBJ_AUTHORIZER);
	static const char expr[] = "authorizer.group('apps').resource('deployments').namespace('team')"
	                           ".check('update').reason() + authorizer.serviceAccount('ci', 'sa')"
	                           ".path('/metrics').check('get').reason()";
	gr_cel_program *p;
	gr_cel_error ce;
	if (env && gr_cel_compile(env, expr, sizeof expr - 1, &p, &ce) == 0) {
		gr_arena ar;
		gr_arena_init(&ar);
		gr_authorizer az = gr_rbac_authorizer(gr_authz_rbac(a));
		gr_cel_value v = gr_cel_authorizer(&ar, &az, gr_authz_user_info(a)), r;
		if (gr_cel_eval(p, &v, 1, &ar, &r, NULL, &ce) != 0 || r.kind != GR_CEL_STRING)
			abort();
		gr_arena_free(&ar);
		gr_cel_free(p);
	} else
		abort();
	gr_cel_env_free(env);
	gr_authz_free(a);
	free(text);
	return 0;
}
