/*
 * test_rules_docs.c — every rule has its documentation: an entry
 * "## <id>" in docs/rules/<pack>.md naming each upstream check it covers,
 * and every profile rule's upstream id appears in docs/migrating.md.
 * Run from the repository root (tests/run-all.sh does).
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/decode.h"
#include "guardrail/rules.h"
#include "testlib.h"

static char *slurp(const char *path)
{
	char *d;
	size_t n;
	gr_error err;
	return gr_read_file(path, 0, &d, &n, &err) == 0 ? d : NULL;
}

int main(void)
{
	static const char *const packs[] = {"bp", "ref", "api", "image", NULL};
	char *docs[4] = {0};
	for (int p = 0; packs[p]; p++) {
		char path[64];
		snprintf(path, sizeof path, "docs/rules/%s.md", packs[p]);
		docs[p] = slurp(path);
		CHECK(docs[p] != NULL);
	}
	char *mig = slurp("docs/migrating.md");
	CHECK(mig != NULL);
	size_t n = gr_rules_count(), documented = 0;
	for (size_t i = 0; i < n; i++) {
		const gr_rule_info *r = gr_rules_info(i);
		int p = -1;
		for (int k = 0; packs[k]; k++)
			if (!strcmp(r->pack, packs[k]))
				p = k;
		if (p < 0) { /* a profile rule: its upstream id is in the migration guide */
			const char *dot = strchr(r->id, '.');
			char want[200];
			snprintf(want, sizeof want, "`%s`", dot + 1);
			bool ok = mig && strstr(mig, want);
			if (!ok)
				fprintf(stderr, "docs/migrating.md does not name %s\n", want);
			CHECK(ok);
			continue;
		}
		if (!docs[p])
			continue;
		char head[200];
		snprintf(head, sizeof head, "\n## %s\n", r->id);
		const char *entry = strstr(docs[p], head);
		if (!entry)
			fprintf(stderr, "docs/rules/%s.md has no entry for %s\n", packs[p], r->id);
		CHECK(entry != NULL);
		if (!entry)
			continue;
		const char *end = strstr(entry + 1, "\n## ");
		size_t len = end ? (size_t)(end - entry) : strlen(entry);
		char *e = strndup(entry, len);
		CHECK(strstr(e, "**Why:**") && !strstr(e, "TODO") && strstr(e, "**Fix:**"));
		/* each upstream id it covers is named */
		char up[1024];
		snprintf(up, sizeof up, "%s", r->upstream);
		for (char *tok = strtok(up, " "); tok; tok = strtok(NULL, " ")) {
			const char *colon = strchr(tok, ':');
			char want[200];
			snprintf(want, sizeof want, "`%s`", colon ? colon + 1 : tok);
			bool ok = strstr(e, colon ? want : tok) != NULL;
			if (!ok)
				fprintf(stderr, "%s: entry does not name %s\n", r->id, tok);
			CHECK(ok);
		}
		free(e);
		documented++;
	}
	CHECK(documented >= 90);
	for (int p = 0; p < 4; p++)
		free(docs[p]);
	free(mig);
	return test_report("rules_docs");
}
