/* C interop check: decodes a model file with protobuf-c code generated from
 * schemas/model.proto and checks a few values, to show the schema is usable from C.
 *
 * Usage: read_model MODEL_FILE EXPECTED_GRAPH_NAME EXPECTED_NODE_COUNT
 *                   INITIALIZER_NAME INDEX EXPECTED_VALUE
 * Exit status: 0 when every check passes, 1 otherwise (reason on stderr).
 * Built and run by scripts/c-interop-test.sh; model.pb-c.h is generated there. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.pb-c.h"

/* Reads the whole file into a malloc'd buffer; NULL (and a message) on error.
 * Reads in chunks rather than fseek/ftell so pipes and /dev/stdin work too. */
static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "read_model: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;  /* short read: end of file or error, told apart below */
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) { free(buf); buf = NULL; break; }
        buf = bigger;
        cap *= 2;
    }
    if (!buf) fprintf(stderr, "read_model: out of memory reading %s\n", path);
    else if (ferror(f)) {
        fprintf(stderr, "read_model: error reading %s\n", path);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Element `index` of a FLOAT tensor, from the source the schema says is used:
 * raw_data first, then float_data. Returns 0 and sets *out, or -1 with a message. */
static int tensor_float_at(const Modelformat__Tensor *t, size_t index, float *out) {
    if (t->data_type != MODELFORMAT__DATA_TYPE__FLOAT &&
        t->data_type != MODELFORMAT__DATA_TYPE__UNDEFINED) {  /* unset means FLOAT */
        fprintf(stderr, "initializer %s: data_type %d is not FLOAT\n", t->name, (int)t->data_type);
        return -1;
    }
    if (t->external) {
        fprintf(stderr, "initializer %s: external data is not supported by this test\n", t->name);
        return -1;
    }
    if (t->raw_data.len > 0) {
        if (t->compression != MODELFORMAT__TENSOR__COMPRESSION__NONE) {
            fprintf(stderr, "initializer %s: raw_data is compressed (compression=%d); "
                            "only NONE is supported by this test\n", t->name, (int)t->compression);
            return -1;
        }
        size_t count = t->raw_data.len / 4;
        if (index >= count) {
            fprintf(stderr, "initializer %s: index %zu out of range (raw_data holds %zu floats)\n",
                    t->name, index, count);
            return -1;
        }
        /* Assemble the little-endian bytes explicitly so this works on any host byte order. */
        const uint8_t *p = t->raw_data.data + 4 * index;
        uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                        (uint32_t)p[3] << 24;
        memcpy(out, &bits, sizeof *out);
        return 0;
    }
    if (index >= t->n_float_data) {
        fprintf(stderr, "initializer %s: index %zu out of range (float_data holds %zu floats)\n",
                t->name, index, t->n_float_data);
        return -1;
    }
    *out = t->float_data[index];
    return 0;
}

/* Parses a whole decimal argument as an unsigned integer; -1 if it is not one. */
static int parse_count(const char *s, const char *what, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || errno == ERANGE || v > SIZE_MAX) {
        fprintf(stderr, "read_model: %s must be a non-negative integer, got '%s'\n", what, s);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

int main(int argc, char **argv) {
    /* Line-buffer stdout so "ok" lines and stderr messages keep their order when merged. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 7) {
        fprintf(stderr, "usage: %s MODEL_FILE EXPECTED_GRAPH_NAME EXPECTED_NODE_COUNT "
                        "INITIALIZER_NAME INDEX EXPECTED_VALUE\n", argv[0]);
        return 1;
    }
    const char *path = argv[1], *want_graph = argv[2], *init_name = argv[4];
    size_t want_nodes, index;
    if (parse_count(argv[3], "EXPECTED_NODE_COUNT", &want_nodes) != 0 ||
        parse_count(argv[5], "INDEX", &index) != 0)
        return 1;
    char *end;
    float want_value = strtof(argv[6], &end);
    if (argv[6][0] == '\0' || *end != '\0') {
        fprintf(stderr, "read_model: EXPECTED_VALUE is not a number: '%s'\n", argv[6]);
        return 1;
    }

    size_t len;
    uint8_t *buf = read_file(path, &len);
    if (!buf) return 1;
    /* NULL allocator = protobuf-c's default (malloc). unpack returns NULL on malformed input. */
    Modelformat__Model *model = modelformat__model__unpack(NULL, len, buf);
    free(buf);  /* unpack copies what it keeps */
    if (!model) {
        fprintf(stderr, "read_model: %s: not a valid Model message (%zu bytes)\n", path, len);
        return 1;
    }

    int failed = 0;
    const Modelformat__Graph *g = model->graph;  /* NULL when the field is absent */
    if (!g) {
        fprintf(stderr, "read_model: model has no graph\n");
        failed = 1;
    } else {
        if (strcmp(g->name, want_graph) == 0) printf("graph name: ok\n");  /* never NULL */
        else { fprintf(stderr, "graph name: expected '%s', got '%s'\n", want_graph, g->name); failed = 1; }

        if (g->n_node == want_nodes) printf("node count: ok\n");
        else { fprintf(stderr, "node count: expected %zu, got %zu\n", want_nodes, g->n_node); failed = 1; }

        const Modelformat__Tensor *t = NULL;
        for (size_t i = 0; i < g->n_initializer && !t; i++)
            if (strcmp(g->initializer[i]->name, init_name) == 0) t = g->initializer[i];
        float got;
        if (!t) {
            fprintf(stderr, "initializer %s: not found\n", init_name);
            failed = 1;
        } else if (tensor_float_at(t, index, &got) != 0) {
            failed = 1;
        } else {
            /* Exact bitwise comparison: == would call -0 equal to 0 and NaN unequal to itself. */
            uint32_t gb, wb;
            memcpy(&gb, &got, sizeof gb);
            memcpy(&wb, &want_value, sizeof wb);
            if (gb == wb) printf("initializer %s[%zu]: ok\n", init_name, index);
            else {
                fprintf(stderr, "initializer %s[%zu]: expected %.9g (0x%08lx), got %.9g (0x%08lx)\n",
                        init_name, index, (double)want_value, (unsigned long)wb, (double)got,
                        (unsigned long)gb);
                failed = 1;
            }
        }
    }
    modelformat__model__free_unpacked(model, NULL);
    return failed;
}
