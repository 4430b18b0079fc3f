/*
 * schema.c — OpenAPI schemas as CEL types for CRD validation rules.
 */
#include <string.h>

#include "cel_internal.h"

const void *cel_schema_items(const void *schema)
{
	(void)schema;
	return NULL;
}
const void *cel_schema_prop(const void *schema, const char *key, size_t len)
{
	(void)schema;
	(void)key;
	(void)len;
	return NULL;
}
gr_cel_value cel_schema_wrap(const void *schema, const gr_value *v) { return cel_wrap_json(schema, v); }

int cel_schema_select(cel_eval *ev, const gr_cel_value *obj, const char *name, size_t len, gr_cel_value *out,
		      bool presence)
{
	(void)ev;
	(void)presence;
	return cel_map_get_str(obj, name, len, out);
}

bool cel_schema_equal(const gr_cel_value *a, const gr_cel_value *b, int *result)
{
	(void)a;
	(void)b;
	(void)result;
	return false;
}
