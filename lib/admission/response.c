/*
 * response.c — the AdmissionReview reply (see admission.h): warnings kept
 * within the API server's budget, audit annotation keys checked, and the
 * JSON written in one pass into a gr_buf.
 *
 * The budget rule mirrors the API server's warning recorder: 4,096 runes in
 * all; a warning that would overflow it is cut rather than silently
 * dropped by the API server, and a last note counts what was left out.
 */
#include <stdio.h>
#include <string.h>

#include "guardrail/admission.h"

void gr_admission_response_init(gr_admission_response *r, const char *uid)
{
	memset(r, 0, sizeof *r);
	r->uid = uid ? uid : "";
	r->allowed = true;
}

void gr_admission_response_deny(gr_admission_response *r, const char *message)
{
	r->allowed = false;
	r->code = 403;
	r->reason = "Forbidden";
	r->message = message;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 3, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 4, min = 0x10000;
	else
		return 0;
	if (n < need)
		return 0;
	unsigned cp = c & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

/* Room kept for the "N more warnings" note. */
#define NOTE_RESERVE 48

int gr_admission_warning_add(gr_admission_warnings *w, gr_arena *a, const char *text, size_t len)
{
	if (w->n >= GR_ADMISSION_MAX_WARNINGS - 1 || w->runes + NOTE_RESERVE >= GR_ADMISSION_WARNING_BUDGET) {
		w->dropped++;
		return -1;
	}
	size_t room = GR_ADMISSION_WARNING_BUDGET - NOTE_RESERVE - w->runes;
	/* Worst case 3 bytes per input byte (U+FFFD), plus "...". */
	char *out = gr_arena_alloc(a, len * 3 + 8);
	if (!out)
		return -2; /* not counted as dropped: the caller must fail the whole reply */
	size_t o = 0, runes = 0;
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	bool cut = false;
	while (i < len) {
		if (runes + 1 > room) {
			cut = true;
			break;
		}
		/* a run of printable ASCII, the common case, is copied at once */
		size_t run = 0, most = room - runes < len - i ? room - runes : len - i;
		while (run < most && s[i + run] >= 0x20 && s[i + run] < 0x7F)
			run++;
		if (run) {
			memcpy(out + o, s + i, run);
			o += run;
			i += run;
			runes += run;
			continue;
		}
		size_t n = utf8_len(s + i, len - i);
		if (n == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		} else if (n == 1 && (s[i] < 0x20 || s[i] == 0x7F)) {
			out[o++] = ' ';
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
		runes++;
	}
	if (cut) {
		/* Step back three runes to make room for "...". */
		for (int k = 0; k < 3 && o > 0; k++) {
			do
				o--;
			while (o > 0 && ((unsigned char)out[o] & 0xC0) == 0x80);
			runes--;
		}
		memcpy(out + o, "...", 3);
		o += 3;
		runes += 3;
	}
	out[o] = '\0';
	for (size_t k = 0; k < w->n; k++)
		if (strcmp(w->items[k], out) == 0)
			return 0;
	w->items[w->n++] = out;
	w->runes += runes;
	return 1;
}

int gr_admission_warnings_finish(gr_admission_warnings *w, gr_arena *a)
{
	if (!w->dropped || w->n >= GR_ADMISSION_MAX_WARNINGS)
		return 0;
	char *note =
	        gr_arena_printf(a, "%zu more warning%s not shown", w->dropped, w->dropped == 1 ? "" : "s");
	if (!note)
		return -1;
	w->items[w->n++] = note;
	w->runes += strlen(note);
	return 0;
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool gr_admission_annotation_key_valid(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > 63 || !key_char(key[0]) || !key_char(key[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!key_char(key[i]) && key[i] != '-' && key[i] != '_' && key[i] != '.')
			return false;
	return true;
}

int gr_admission_annotate(gr_admission_response *r, const char *key, const char *value)
{
	if (!gr_admission_annotation_key_valid(key))
		return -1;
	for (size_t i = 0; i < r->nann; i++)
		if (strcmp(r->ann_keys[i], key) == 0) {
			r->ann_values[i] = value;
			return 0;
		}
	if (r->nann >= GR_ADMISSION_MAX_ANNOTATIONS)
		return -1;
	r->ann_keys[r->nann] = key;
	r->ann_values[r->nann] = value;
	r->nann++;
	return 0;
}

static void put_string(gr_buf *b, const char *s)
{
	gr_buf_json_string(b, s ? s : "", s ? strlen(s) : 0);
}

void gr_admission_encode(gr_buf *b, const gr_admission_response *r)
{
	gr_buf_puts(b, "{\"apiVersion\":\"admission.k8s.io/"
	               "v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":");
	put_string(b, r->uid);
	gr_buf_puts(b, r->allowed ? ",\"allowed\":true" : ",\"allowed\":false");
	if (!r->allowed) {
		gr_buf_printf(b, ",\"status\":{\"code\":%d,\"reason\":", r->code ? r->code : 403);
		put_string(b, r->reason ? r->reason : "Forbidden");
		gr_buf_puts(b, ",\"message\":");
		put_string(b, r->message);
		gr_buf_putc(b, '}');
	}
	if (r->warnings.n) {
		gr_buf_puts(b, ",\"warnings\":[");
		for (size_t i = 0; i < r->warnings.n; i++) {
			if (i)
				gr_buf_putc(b, ',');
			put_string(b, r->warnings.items[i]);
		}
		gr_buf_putc(b, ']');
	}
	if (r->nann) {
		gr_buf_puts(b, ",\"auditAnnotations\":{");
		for (size_t i = 0; i < r->nann; i++) {
			if (i)
				gr_buf_putc(b, ',');
			put_string(b, r->ann_keys[i]);
			gr_buf_putc(b, ':');
			put_string(b, r->ann_values[i]);
		}
		gr_buf_putc(b, '}');
	}
	gr_buf_puts(b, "}}");
}
