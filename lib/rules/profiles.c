/*
 * profiles.c — the compatibility profiles' rule tables (polaris.*,
 * kube-score.*, kube-linter.*). Each row is one upstream check with the
 * upstream severity mapped onto ours; most share a bp/ref function and
 * differ only where the upstream semantics differ (see docs/migrating.md).
 */
#include "rules_int.h"

const rl_rule rl_pack_kube_linter[] = {RL_PACK_END};
