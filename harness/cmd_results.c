/* `slotkit results`: list the stored results documents. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "fingerprint.h"
#include "results.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: slotkit results [--host ID|--this-host] [--json] [--results DIR]\n"
            "       slotkit results --import RUN_DIR [--backend B] [--results DIR]\n\n"
            "Lists the results documents in the store (results/<host-id>/<UTC time>-<kind>-<backend>.json),\n"
            "oldest first per host: time, kind, backend, commit, and a summary (benchmarks and\n"
            "repetitions, or the conformance verdict). Unreadable documents are listed with the reason.\n"
            "A store that does not exist is an error (exit 2).\n\n"
            "  --host ID      only this host's documents\n"
            "  --this-host    only this machine's documents (host id %s)\n"
            "  --json         one JSON array of {path, host, created_utc, kind, backend, commit, summary}\n"
            "  --results DIR  the store (default $SLOTKIT_RESULTS_DIR or ./results)\n"
            "  --import DIR   store a benchmark run directory (gbench.json, hyperfine-*.json,\n"
            "                 callgrind.json, meta.json) as a document, as `slotkit bench` does\n"
            "  --backend B    with --import: the backend measured (default: meta.json's \"backend\")\n",
            fingerprint_host_id());
}

static void summarize(json_object *doc, char *out, size_t size)
{
    if (strcmp(results_get_string(doc, "kind", ""), "conform") == 0) {
        char verdict[16];
        snprintf(out, size, "%s: %d passed, %d failed, %d skipped",
                 escape_terminal(verdict, sizeof verdict, results_get_string(doc, "conformance.verdict", "?")),
                 json_object_get_int(results_get(doc, "conformance.passed")),
                 json_object_get_int(results_get(doc, "conformance.failed")),
                 json_object_get_int(results_get(doc, "conformance.skipped")));
        return;
    }
    json_object *samples = results_get(doc, "samples");
    size_t sets = json_object_array_length(samples), values = 0, instr = 0;
    for (size_t i = 0; i < sets; i++) {
        json_object *s = json_object_array_get_idx(samples, i);
        values += json_object_array_length(results_get(s, "values"));
        if (strcmp(results_get_string(s, "metric", ""), "instructions") == 0) instr++;
    }
    snprintf(out, size, "%zu sample sets, %zu values%s", sets, values, instr ? ", instruction counts" : "");
}

/* Lists the store (or one host of it), unreadable documents with their reason. */
static void list_documents(const char *root, const char *host, bool json)
{
    char **paths = results_list(root, host);
    json_object *arr = json_object_new_array();
    if (!json)
        printf("%-22s %-8s %-12s %-12s %-40s %s\n", "CREATED (UTC)", "KIND", "BACKEND", "COMMIT", "SUMMARY", "PATH");
    int count = 0;
    for (char **p = paths; *p; p++, count++) {
        char err[1536], summary[160], shown[5][PATH_MAX];
        json_object *doc = results_load(*p, err, sizeof err);
        if (doc == NULL) {
            if (json) {
                json_object *row = json_object_new_object();
                json_object_object_add(row, "path", json_object_new_string(*p));
                json_object_object_add(row, "error", json_object_new_string(err));
                json_object_array_add(arr, row);
            } else {
                printf("%-22s %-8s %-12s %-12s %-40s %s\n", "?", "?", "?", "?", "(unreadable, see below)",
                       escape_terminal(shown[0], sizeof shown[0], *p));
                cli_fail("results: %s", err); /* a warning here: the listing goes on */
            }
            continue;
        }
        summarize(doc, summary, sizeof summary);
        if (json) {
            json_object *row = json_object_new_object();
            json_object_object_add(row, "path", json_object_new_string(*p));
            json_object_object_add(row, "host", json_object_new_string(results_get_string(doc, "host.id", "")));
            json_object_object_add(row, "created_utc",
                                   json_object_new_string(results_get_string(doc, "created_utc", "")));
            json_object_object_add(row, "kind", json_object_new_string(results_get_string(doc, "kind", "")));
            json_object_object_add(row, "backend", json_object_new_string(results_get_string(doc, "backend.name", "")));
            json_object_object_add(row, "commit",
                                   json_object_new_string(results_get_string(doc, "build.git_commit", "")));
            json_object_object_add(row, "summary", json_object_new_string(summary));
            json_object_array_add(arr, row);
        } else {
            /* Every field is the document's (or a file name in the store): escaped for the terminal. */
            static const char *const keys[] = {"created_utc", "kind", "backend.name", "build.git_commit"};
            for (int k = 0; k < 4; k++)
                escape_terminal(shown[k], sizeof shown[k], results_get_string(doc, keys[k], "?"));
            printf("%-22s %-8s %-12s %-12.12s %-40s %s\n", shown[0], shown[1], shown[2], shown[3], summary,
                   escape_terminal(shown[4], sizeof shown[4], *p));
        }
        json_object_put(doc);
    }
    if (json)
        printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    else if (count == 0)
        printf("(no results under %s/%s%s)\n", results_root(root), host ? host : "", host ? "/" : "");
    json_object_put(arr);
    results_list_free(paths);
}

int cmd_results(int argc, char **argv)
{
    static const struct option options[] = {
        {"host", required_argument, NULL, 'H'},    {"this-host", no_argument, NULL, 'T'},
        {"json", no_argument, NULL, 'j'},          {"results", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},          {"import", required_argument, NULL, 'I'},
        {"backend", required_argument, NULL, 'b'}, {0, 0, 0, 0}};
    const char *host = NULL, *root = NULL, *import = NULL, *backend_arg = NULL;
    bool json = false;
    for (int opt; (opt = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
        switch (opt) {
        case 'H': host = optarg; break;
        case 'T': host = fingerprint_host_id(); break;
        case 'j': json = true; break;
        case 'R': root = optarg; break;
        case 'I': import = optarg; break;
        case 'b': backend_arg = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) return cli_fail("results: unexpected argument '%s' (see --help)", argv[optind]);
    if (import) {
        const slotkit_backend *backend = NULL;
        if (backend_arg && (backend = cli_load_backend(backend_arg)) == NULL) return 2;
        char stored[4096];
        if (results_write_bench(import, backend, NULL, root, stored, sizeof stored) != 0)
            return cli_fail("results: %s", stored);
        printf("%s\n", stored);
        return 0;
    }
    char why[PATH_MAX + 128];
    if (host && !results_plain_name(host))
        return cli_fail("results: --host wants a host id ([A-Za-z0-9._-], 1 to %d characters, not . or ..)",
                        RESULTS_MAX_NAME);
    if (results_check_store(root, why, sizeof why) != 0) return cli_fail("results: %s", why);
    list_documents(root, host, json);
    return 0;
}
