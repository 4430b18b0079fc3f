// re2_shim.cc — a C face on Debian's libre2, built only for the regex
// oracle test and benchmark (tests/scripts/regex-oracle.sh, bench/regex.sh):
// compile, match with submatches at an offset, free.
#include <re2/re2.h>

#include <cstring>
#include <string>

extern "C" {

void *re2s_compile(const char *p, size_t n, char *err, size_t errcap)
{
	RE2::Options o;
	o.set_log_errors(false);
	o.set_max_mem((int64_t)1 << 30);
	RE2 *re = new RE2(re2::StringPiece(p, n), o);
	if (!re->ok()) {
		if (err && errcap)
			snprintf(err, errcap, "%s", re->error().c_str());
		delete re;
		return nullptr;
	}
	return re;
}

int re2s_groups(void *re)
{
	return static_cast<RE2 *>(re)->NumberOfCapturingGroups();
}

// anchor: 0 unanchored, 2 both ends. caps: 2 * nsub offsets (-1: unset).
int re2s_match(void *re, const char *s, size_t n, size_t from, int anchor, long *caps, int nsub)
{
	re2::StringPiece text(s, n), sub[64];
	if (nsub > 64)
		nsub = 64;
	RE2::Anchor a = anchor == 2 ? RE2::ANCHOR_BOTH : RE2::UNANCHORED;
	bool ok = static_cast<RE2 *>(re)->Match(text, from, n, a, sub, nsub);
	if (ok)
		for (int i = 0; i < nsub; i++) {
			caps[2 * i] = sub[i].data() ? (long)(sub[i].data() - s) : -1;
			caps[2 * i + 1] = sub[i].data() ? caps[2 * i] + (long)sub[i].size() : -1;
		}
	return ok;
}

void re2s_free(void *re)
{
	delete static_cast<RE2 *>(re);
}
}
