/*
 * Cold start: dlopen of liberpauth plus the first X-Api-Signature, in a
 * process that has not loaded the library before. Not linked against
 * erpauth; the header gives the types only.
 *
 * Usage: cold_start /path/to/liberpauth.so
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

#include "erpauth.h"

typedef erpauth_status (*signature_fn)(const char *, const char *, const char *, const char *,
                                       const char *, char *, size_t, size_t *);

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "target/release/liberpauth.so";
    double start = now_us();
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        return 1;
    }
    signature_fn sig;
    *(void **)(&sig) = dlsym(lib, "erpauth_kingdee_signature");
    if (!sig) {
        fprintf(stderr, "dlsym: %s\n", dlerror());
        return 1;
    }
    char out[128];
    size_t len;
    erpauth_status st = sig("f2adcfef73369bfc4e1384677d38a0ff", "GET",
                            "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1"
                            "&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D",
                            "4427456950", "1670305063559", out, sizeof out, &len);
    double elapsed = now_us() - start;
    if (st != ERPAUTH_OK) {
        fprintf(stderr, "first signature failed: %d\n", (int)st);
        return 1;
    }
    printf("cold start: %.1f us (dlopen + first X-Api-Signature)\n", elapsed);
    return 0;
}
