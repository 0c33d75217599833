/*
 * A tiny test framework shared by the C and C++ tests: CHECK macros count
 * passes and failures, print every failure with its line (details indented
 * by four spaces, all on stdout so they stay in order), and
 * check_report() prints "N passed, N failed" and gives the exit status.
 */
#ifndef ERPAUTH_TEST_CHECK_H
#define ERPAUTH_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "erpauth.h"

static int check_passed;
static int check_failed;

static inline int check_record(int ok, const char *file, int line, const char *what)
{
    if (ok) {
        check_passed++;
    } else {
        check_failed++;
        printf("FAIL %s:%d: %s\n", file, line, what);
    }
    return ok;
}

static inline const char *status_name(int status)
{
    switch (status) {
    case ERPAUTH_OK: return "ERPAUTH_OK";
    case ERPAUTH_BUFFER_TOO_SMALL: return "ERPAUTH_BUFFER_TOO_SMALL";
    case ERPAUTH_INVALID_ARGUMENT: return "ERPAUTH_INVALID_ARGUMENT";
    case ERPAUTH_NETWORK: return "ERPAUTH_NETWORK";
    case ERPAUTH_HTTP: return "ERPAUTH_HTTP";
    case ERPAUTH_REJECTED: return "ERPAUTH_REJECTED";
    case ERPAUTH_BAD_RESPONSE: return "ERPAUTH_BAD_RESPONSE";
    case ERPAUTH_INTERNAL: return "ERPAUTH_INTERNAL";
    default: return "(unknown status)";
    }
}

/* The calling thread's erpauth_last_error(), into a static-size buffer. */
static inline const char *last_error_text(void)
{
    static char text[2048];
    size_t len = 0;
    if (erpauth_last_error(text, sizeof text, &len) != ERPAUTH_OK) {
        return "(erpauth_last_error failed)";
    }
    return text;
}

#define CHECK(cond) check_record((cond) ? 1 : 0, __FILE__, __LINE__, #cond)

/* Evaluates `call` once; on a wrong status prints both names and the last error. */
#define CHECK_STATUS(call, want)                                                         \
    check_status_impl((int)(call), (int)(want), __FILE__, __LINE__, #call)

static inline int check_status_impl(int got, int want, const char *file, int line, const char *what)
{
    if (got == want) {
        check_passed++;
        return 1;
    }
    check_failed++;
    printf("FAIL %s:%d: %s\n    returned %s, expected %s; last error: %s\n", file,
            line, what, status_name(got), status_name(want), last_error_text());
    return 0;
}

#define CHECK_STR(got, want) check_str_impl((got), (want), __FILE__, __LINE__, #got)

static inline int check_str_impl(const char *got, const char *want, const char *file, int line,
                          const char *what)
{
    if (got != NULL && want != NULL && strcmp(got, want) == 0) {
        check_passed++;
        return 1;
    }
    check_failed++;
    printf("FAIL %s:%d: %s\n    got      \"%s\"\n    expected \"%s\"\n", file, line,
            what, got ? got : "(null)", want ? want : "(null)");
    return 0;
}

/* haystack contains needle (both non-NULL). */
#define CHECK_CONTAINS(haystack, needle)                                                 \
    check_contains_impl((haystack), (needle), 1, __FILE__, __LINE__)
#define CHECK_NOT_CONTAINS(haystack, needle)                                             \
    check_contains_impl((haystack), (needle), 0, __FILE__, __LINE__)

static inline int check_contains_impl(const char *haystack, const char *needle, int want, const char *file,
                               int line)
{
    int found = haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
    if (found == want) {
        check_passed++;
        return 1;
    }
    check_failed++;
    printf("FAIL %s:%d: \"%s\" %s \"%s\"\n", file, line, haystack ? haystack : "(null)",
            want ? "does not contain" : "contains", needle ? needle : "(null)");
    return 0;
}

static inline int check_report(const char *suite)
{
    printf("%s: %d passed, %d failed\n", suite, check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif /* ERPAUTH_TEST_CHECK_H */
