/*
 * defs.h — portability macros shared by the public headers: printf-format
 * and sentinel checks on compilers that have them (nothing elsewhere).
 */
#ifndef GUARDRAIL_DEFS_H
#define GUARDRAIL_DEFS_H

#if defined(__GNUC__) || defined(__clang__)
#define GR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define GR_SENTINEL          __attribute__((sentinel))
#else
#define GR_PRINTF(fmt, args)
#define GR_SENTINEL
#endif

#endif
