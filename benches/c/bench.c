/*
 * Times the erpauth C ABI from C, through include/erpauth.h, the way an
 * integration program calls it: a caller-owned stack buffer per call, and
 * signer handles made once before the timed calls.
 *
 * Each function is timed in 31 rounds of a fixed number of calls; the
 * median round gives ns per call. cold_start.c measures the cold start.
 *
 * Build and run: scripts/bench.sh (or see the commands there).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "erpauth.h"

#define ROUNDS 31

static const char *SECRET = "f2adcfef73369bfc4e1384677d38a0ff";
static const char *TARGET =
    "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1"
    "&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D";

/* Made once in main() from SECRET and the Weaver vector's credentials. */
static erpauth_kingdee_signer *kingdee_signer;
static erpauth_weaver_signer *weaver_signer;

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef int (*bench_fn)(void);

static void report(const char *name, bench_fn fn, long calls) {
    double rounds[ROUNDS];
    for (long i = 0; i < calls / 10; i++) fn(); /* warm up */
    for (int r = 0; r < ROUNDS; r++) {
        double start = now_ns();
        for (long i = 0; i < calls; i++) {
            if (fn() != ERPAUTH_OK) {
                fprintf(stderr, "%s failed\n", name);
                exit(1);
            }
        }
        rounds[r] = (now_ns() - start) / (double)calls;
    }
    qsort(rounds, ROUNDS, sizeof rounds[0], cmp_double);
    printf("%-34s median %8.1f ns/call   (min %8.1f, max %8.1f)\n", name, rounds[ROUNDS / 2],
           rounds[0], rounds[ROUNDS - 1]);
}

static int kingdee_signature(void) {
    char out[128];
    size_t len;
    return erpauth_kingdee_signature(SECRET, "GET", TARGET, "4427456950", "1670305063559", out,
                                     sizeof out, &len);
}

static int kingdee_signer_signature(void) {
    char out[128];
    size_t len;
    return erpauth_kingdee_signer_signature(kingdee_signer, "GET", TARGET, "4427456950",
                                            "1670305063559", out, sizeof out, &len);
}

static int kingdee_string_to_sign(void) {
    char out[512];
    size_t len;
    return erpauth_kingdee_string_to_sign("GET", TARGET, "4427456950", "1670305063559", out,
                                          sizeof out, &len);
}

static int kingdee_app_signature(void) {
    char out[128];
    size_t len;
    return erpauth_kingdee_app_signature("bVZgAZOv1", SECRET, out, sizeof out, &len);
}

static int kingdee_sign_headers(void) {
    char out[512];
    size_t len;
    return erpauth_kingdee_sign_headers("205022", SECRET, "GET", TARGET, out, sizeof out, &len);
}

static int weaver_sign(void) {
    char out[128];
    size_t len;
    return erpauth_weaver_sign("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq",
                               1700000000000LL, out, sizeof out, &len);
}

static int weaver_signer_sign(void) {
    char out[128];
    size_t len;
    return erpauth_weaver_signer_sign(weaver_signer, 1700000000000LL, out, sizeof out, &len);
}

static int weaver_sign_now(void) {
    char out[128];
    size_t len;
    return erpauth_weaver_sign("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq", 0, out,
                               sizeof out, &len);
}

int main(void) {
    printf("erpauth %s, C ABI from C, median of %d rounds\n", erpauth_version(), ROUNDS);
    if (erpauth_kingdee_signer_new(SECRET, &kingdee_signer) != ERPAUTH_OK ||
        erpauth_weaver_signer_new("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq",
                                  &weaver_signer) != ERPAUTH_OK) {
        fprintf(stderr, "making the signers failed\n");
        return 1;
    }
    report("kingdee_signature", kingdee_signature, 20000);
    report("kingdee_signer_signature", kingdee_signer_signature, 20000);
    report("kingdee_string_to_sign", kingdee_string_to_sign, 20000);
    report("kingdee_app_signature", kingdee_app_signature, 20000);
    report("kingdee_sign_headers", kingdee_sign_headers, 20000);
    report("weaver_sign", weaver_sign, 20000);
    report("weaver_signer_sign", weaver_signer_sign, 20000);
    report("weaver_sign (timestamp 0)", weaver_sign_now, 20000);
    erpauth_kingdee_signer_free(kingdee_signer);
    erpauth_weaver_signer_free(weaver_signer);
    return 0;
}
