/*
 * guardrail.h — the whole public API of libguardrail: include this one.
 *
 * Start with session.h (options, checkers, sessions) and docs/library.md.
 * Every header is usable from C++ (C linkage) and declares nothing but
 * gr_-prefixed names, GR_ macros and GUARDRAIL_ macros.
 */
#ifndef GUARDRAIL_H
#define GUARDRAIL_H

#define GUARDRAIL_VERSION       "0.1.0"
#define GUARDRAIL_VERSION_MAJOR 0
#define GUARDRAIL_VERSION_MINOR 1
#define GUARDRAIL_VERSION_PATCH 0

#include "guardrail/admission.h"
#include "guardrail/arena.h"
#include "guardrail/authz.h"
#include "guardrail/buf.h"
#include "guardrail/decode.h"
#include "guardrail/defs.h"
#include "guardrail/engine.h"
#include "guardrail/error.h"
#include "guardrail/finding.h"
#include "guardrail/inputs.h"
#include "guardrail/jmespath.h"
#include "guardrail/kube.h"
#include "guardrail/kyverno.h"
#include "guardrail/object.h"
#include "guardrail/path.h"
#include "guardrail/pss.h"
#include "guardrail/regex.h"
#include "guardrail/report.h"
#include "guardrail/rules.h"
#include "guardrail/schema.h"
#include "guardrail/session.h"
#include "guardrail/set.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version ("0.1.0"), which may differ from the headers' GUARDRAIL_VERSION. */
const char *gr_version(void);

#ifdef __cplusplus
}
#endif

#endif
