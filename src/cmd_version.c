/* cmd_version.c — `guardrail version`: the version and what it was built with. */
#include <stdio.h>
#include <yaml.h>

#include "cmd.h"
#include "guardrail/guardrail.h"

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("guardrail %s (libyaml %s)\n", GUARDRAIL_VERSION, yaml_get_version_string());
	return 0;
}
