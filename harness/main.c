/* The slotkit command: dispatches to subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"backends", cmd_backends, "list built-in and plug-in backends with their capabilities"},
    {"conform", cmd_conform, "run the conformance suite against a backend, with a per-rule verdict"},
    {"bench", cmd_bench, "benchmark a backend against the machine's limits (latency, throughput, ops)"},
    {"clean", cmd_clean, "list slotkit shared-memory segments and remove stale ones"},
    {"results", cmd_results, "list the stored results documents (results/<host-id>/)"},
    {"gate", cmd_gate, "compare a run with a baseline; exit 1 on a performance regression"},
    {"report", cmd_report, "write the tuning report (HTML + Markdown) from one host's results"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: slotkit <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\n'slotkit <command> --help' describes a command. slotkit %s, backend ABI %u.\n", SLOTKIT_VERSION,
            SLOTKIT_ABI_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("slotkit %s (backend ABI %u)\n", SLOTKIT_VERSION, SLOTKIT_ABI_VERSION);
        return 0;
    }
    cli_extend_plugin_path();
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "slotkit: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
