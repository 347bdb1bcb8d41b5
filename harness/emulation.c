/* Emulated machines: detection, the host.emulation record, and the rule that
 * keeps their timings away from real hardware's (emulation.h). */
#include "emulation.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "results.h"

#define TCG_MODEL "QEMU TCG"
#define CMDLINE_KEY "slotkit.emulated="

/* The value of slotkit.emulated= on a kernel command line, if it is a plain
 * name (letters, digits, '.', '_', '-'; the guest's word, not trusted further). */
static bool declared_topology(const char *cmdline, char *name, size_t size)
{
    for (const char *p = cmdline ? strstr(cmdline, CMDLINE_KEY) : NULL; p; p = strstr(p + 1, CMDLINE_KEY)) {
        if (p != cmdline && !isspace((unsigned char)p[-1])) continue;
        const char *v = p + strlen(CMDLINE_KEY);
        size_t n = 0;
        while (v[n] && (isalnum((unsigned char)v[n]) || strchr("._-", v[n]))) n++;
        if (n == 0 || n >= size || (v[n] && !isspace((unsigned char)v[n]))) return false;
        memcpy(name, v, n);
        name[n] = '\0';
        return true;
    }
    return false;
}

void emulation_detect(const char *cmdline, const char *cpu_model, emulation *out)
{
    memset(out, 0, sizeof *out);
    bool declared = declared_topology(cmdline, out->topology, sizeof out->topology);
    bool tcg = cpu_model && strstr(cpu_model, TCG_MODEL) != NULL;
    out->emulated = declared || tcg;
    if (!declared) snprintf(out->topology, sizeof out->topology, "not declared");
    if (declared)
        snprintf(out->by, sizeof out->by, "kernel command line %s%s%s", CMDLINE_KEY, out->topology,
                 tcg ? "; CPU model names qemu TCG" : "");
    else
        snprintf(out->by, sizeof out->by, tcg ? "CPU model names qemu TCG" : "not emulated");
}

json_object *emulation_json(const emulation *e)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "emulated", json_object_new_boolean(e->emulated));
    json_object_object_add(o, "by", json_object_new_string(e->by));
    json_object_object_add(o, "topology", json_object_new_string(e->topology));
    return o;
}

void emulation_of_host(json_object *host, emulation *out)
{
    memset(out, 0, sizeof *out);
    json_object *flag = host ? results_get(host, "emulation.emulated") : NULL;
    if (flag && json_object_is_type(flag, json_type_boolean)) {
        out->emulated = json_object_get_boolean(flag);
        snprintf(out->by, sizeof out->by, "%s", results_get_string(host, "emulation.by", ""));
        snprintf(out->topology, sizeof out->topology, "%s",
                 results_get_string(host, "emulation.topology", "not declared"));
        return;
    }
    emulation_detect(NULL, host ? results_get_string(host, "cpu.model", "") : "", out);
}

void emulation_of_doc(json_object *doc, emulation *out) { emulation_of_host(results_get(doc, "host"), out); }

int emulation_comparable(json_object *doc_a, json_object *doc_b, char *why, size_t why_size)
{
    emulation a, b;
    emulation_of_doc(doc_a, &a);
    emulation_of_doc(doc_b, &b);
    if (!a.emulated && !b.emulated) return 0;
    if (a.emulated && b.emulated && strcmp(a.topology, b.topology) == 0) return 0;
    if (a.emulated && b.emulated)
        snprintf(why, why_size, "both runs are from emulated machines, of different topologies (%s vs %s)", a.topology,
                 b.topology);
    else
        snprintf(why, why_size,
                 "the %s run is from an emulated machine (%s, topology %s): emulated timings are not performance "
                 "and are never compared with real hardware",
                 a.emulated ? "baseline" : "candidate", a.emulated ? a.by : b.by, a.emulated ? a.topology : b.topology);
    return -1;
}
