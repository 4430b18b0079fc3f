/* cmd.h — the subcommands of the guardrail program, one file each. */
#ifndef GUARDRAIL_CMD_H
#define GUARDRAIL_CMD_H

int cmd_check(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_query_cel(int argc, char **argv); /* query --cel (query_cel.c) */
int query_cel_requested(int argc, char **argv);

#endif
