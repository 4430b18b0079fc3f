/* guardrail.h — the whole public API of libguardrail. */
#ifndef GUARDRAIL_H
#define GUARDRAIL_H

#define GUARDRAIL_VERSION "0.1.0"

#include "guardrail/admission.h"
#include "guardrail/arena.h"
#include "guardrail/buf.h"
#include "guardrail/decode.h"
#include "guardrail/engine.h"
#include "guardrail/error.h"
#include "guardrail/finding.h"
#include "guardrail/inputs.h"
#include "guardrail/object.h"
#include "guardrail/path.h"
#include "guardrail/report.h"
#include "guardrail/value.h"
#include "guardrail/set.h"
#include "guardrail/session.h"

#endif
