/*
 * The pure (no I/O) functions of the C ABI, called as C code calls them:
 * public vectors and known answers, the whole caller-owned buffer contract,
 * NULL and non-UTF-8 for every string argument, malformed escapes, wrong AES
 * key lengths, erpauth_last_error (clear, thread-local, never a secret),
 * erpauth_version, and the signer handles (the same results as the one-shot
 * functions, their own argument checks, one signer shared by threads).
 *
 * Known answers other than the public vectors were computed with the
 * independent Python implementation (tests/python/differential.py) and,
 * for AES, cross-checked with `openssl enc`.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

#ifndef EXPECTED_VERSION
#error "compile with -DEXPECTED_VERSION=\"x.y.z\" (the version in Cargo.toml)"
#endif

/* Secrets used in the calls below; no error message may ever contain one. */
#define APP_SECRET "app-secret-Qz7vX3"
#define CLIENT_SECRET "client-secret-Jm4pK8"
#define WEAVER_SECRET "weaver-secret-Hd2sN6"
#define AES_KEY_16 "aes-key-16-Bt5wE"

static const char *const SECRETS[] = {APP_SECRET, CLIENT_SECRET, WEAVER_SECRET, AES_KEY_16,
                                      "abc123", "f2adcfef73369bfc4e1384677d38a0ff",
                                      "weaversecret", "8fy6K39X6PIEEeOq"};

static void check_no_secret_in_last_error(void)
{
    const char *message = last_error_text();
    size_t i;
    for (i = 0; i < sizeof SECRETS / sizeof SECRETS[0]; i++) {
        CHECK_NOT_CONTAINS(message, SECRETS[i]);
    }
    /* One line of text. */
    CHECK(strchr(message, '\n') == NULL && strchr(message, '\r') == NULL);
}

/* ------------------------------------------------------------------------ */
/* Every string-producing function behind one signature, so the buffer      */
/* contract and the argument checks can be run on each the same way.        */
/* ------------------------------------------------------------------------ */

#define MAX_ARGS 5

typedef erpauth_status (*call_fn)(const char *const *args, char *out, size_t cap, size_t *len);

typedef struct {
    const char *name;
    int nargs;
    const char *arg_names[MAX_ARGS];
    const char *good_args[MAX_ARGS];
    call_fn call;
    /* The exact result for good_args, or NULL when it varies (nonce, time). */
    const char *expected;
    /* Index of the request-target argument, or -1. */
    int target_arg;
} function_case;

static erpauth_status call_app_signature(const char *const *a, char *out, size_t cap, size_t *len)
{
    return erpauth_kingdee_app_signature(a[0], a[1], out, cap, len);
}

static erpauth_status call_string_to_sign(const char *const *a, char *out, size_t cap, size_t *len)
{
    return erpauth_kingdee_string_to_sign(a[0], a[1], a[2], a[3], out, cap, len);
}

static erpauth_status call_signature(const char *const *a, char *out, size_t cap, size_t *len)
{
    return erpauth_kingdee_signature(a[0], a[1], a[2], a[3], a[4], out, cap, len);
}

static erpauth_status call_sign_headers(const char *const *a, char *out, size_t cap, size_t *len)
{
    return erpauth_kingdee_sign_headers(a[0], a[1], a[2], a[3], out, cap, len);
}

static erpauth_status call_weaver_sign_fixed(const char *const *a, char *out, size_t cap,
                                             size_t *len)
{
    return erpauth_weaver_sign(a[0], a[1], a[2], 1700000000000LL, out, cap, len);
}

static erpauth_status call_weaver_sign_now(const char *const *a, char *out, size_t cap, size_t *len)
{
    return erpauth_weaver_sign(a[0], a[1], a[2], 0, out, cap, len);
}

/* The signers behind the signer rows of FUNCTIONS, made in main() from the
 * vectors' credentials before any check runs and freed at the end. */
static erpauth_kingdee_signer *vector_kingdee_signer;
static erpauth_weaver_signer *vector_weaver_signer;

static erpauth_status call_kingdee_signer_signature(const char *const *a, char *out, size_t cap,
                                                    size_t *len)
{
    return erpauth_kingdee_signer_signature(vector_kingdee_signer, a[0], a[1], a[2], a[3], out,
                                            cap, len);
}

static erpauth_status call_weaver_signer_sign_fixed(const char *const *a, char *out, size_t cap,
                                                    size_t *len)
{
    (void)a;
    return erpauth_weaver_signer_sign(vector_weaver_signer, 1700000000000LL, out, cap, len);
}

static erpauth_status call_weaver_signer_sign_now(const char *const *a, char *out, size_t cap,
                                                  size_t *len)
{
    (void)a;
    return erpauth_weaver_signer_sign(vector_weaver_signer, 0, out, cap, len);
}

static erpauth_status call_last_error(const char *const *a, char *out, size_t cap, size_t *len)
{
    (void)a;
    return erpauth_last_error(out, cap, len);
}

#define VECTOR_TARGET                                                                          \
    "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1&app_signature="         \
    "MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D" \
    "%3D"
#define VECTOR_STRING_TO_SIGN                                                                  \
    "GET\n%2Fjdyconnector%2Fapp_management%2Fkingdee_auth_token\napp_key=bVZgAZOv1&app_"       \
    "signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJm" \
    "OTlkZA%253D%253D\nx-api-nonce:4427456950\nx-api-timestamp:1670305063559\n"
#define VECTOR_SIGNATURE                                                                       \
    "OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ=="
#define VECTOR_APP_SIGNATURE                                                                   \
    "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ=="
#define VECTOR_WEAVER_SIGN                                                                     \
    "2da1e861f36ba4aa1babbadbdc1e275a9efc8b34155b2bd4e147370de8d80954b04dbe29a019802759029ab5" \
    "1c8bc6a1"

static const function_case FUNCTIONS[] = {
    {"erpauth_kingdee_app_signature", 2, {"app_key", "app_secret"}, {"abc", "abc123"},
     call_app_signature, VECTOR_APP_SIGNATURE, -1},
    {"erpauth_kingdee_string_to_sign", 4, {"method", "path_and_query", "nonce", "timestamp"},
     {"GET", VECTOR_TARGET, "4427456950", "1670305063559"}, call_string_to_sign,
     VECTOR_STRING_TO_SIGN, 1},
    {"erpauth_kingdee_signature", 5,
     {"client_secret", "method", "path_and_query", "nonce", "timestamp"},
     {"f2adcfef73369bfc4e1384677d38a0ff", "GET", VECTOR_TARGET, "4427456950", "1670305063559"},
     call_signature, VECTOR_SIGNATURE, 2},
    {"erpauth_kingdee_sign_headers", 4, {"client_id", "client_secret", "method", "path_and_query"},
     {"my-client-id", CLIENT_SECRET, "POST", "/jdy/v2/bd/customer?page=1"}, call_sign_headers,
     NULL, 3},
    {"erpauth_weaver_sign", 3, {"appid", "secret", "aes_key"},
     {"weaverappid", "weaversecret", "8fy6K39X6PIEEeOq"}, call_weaver_sign_fixed,
     VECTOR_WEAVER_SIGN, -1},
    {"erpauth_weaver_sign(timestamp 0)", 3, {"appid", "secret", "aes_key"},
     {"my-appid", WEAVER_SECRET, AES_KEY_16}, call_weaver_sign_now, NULL, -1},
    /* 6, 7, 8: the signers of vector_kingdee_signer and vector_weaver_signer. */
    {"erpauth_kingdee_signer_signature", 4, {"method", "path_and_query", "nonce", "timestamp"},
     {"GET", VECTOR_TARGET, "4427456950", "1670305063559"}, call_kingdee_signer_signature,
     VECTOR_SIGNATURE, 1},
    {"erpauth_weaver_signer_sign", 0, {NULL}, {NULL}, call_weaver_signer_sign_fixed,
     VECTOR_WEAVER_SIGN, -1},
    {"erpauth_weaver_signer_sign(timestamp 0)", 0, {NULL}, {NULL}, call_weaver_signer_sign_now,
     NULL, -1},
};
#define FUNCTION_COUNT (sizeof FUNCTIONS / sizeof FUNCTIONS[0])

#define CANARY ((char)0xA5)

static int all_canary(const char *buf, size_t from, size_t to)
{
    size_t i;
    for (i = from; i < to; i++) {
        if (buf[i] != CANARY) {
            return 0;
        }
    }
    return 1;
}

/* A heap buffer of exactly `cap` bytes filled with the canary, so valgrind
 * reports any write past out_cap. */
static char *canary_buffer(size_t cap)
{
    char *buf = (char *)malloc(cap ? cap : 1);
    if (buf == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memset(buf, CANARY, cap ? cap : 1);
    return buf;
}

/* The buffer contract of docs/protocol/c-api.md, step by step. */
static void check_buffer_contract(const char *name, call_fn call, const char *const *args,
                                  const char *expected, int is_last_error)
{
    size_t needed = 123456, len;
    char *buf;

    printf("  buffer contract: %s\n", name);
    /* Size query: NULL buffer, capacity 0. */
    CHECK_STATUS(call(args, NULL, 0, &needed), ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(needed > 0 && needed < 4096);
    if (expected != NULL) {
        CHECK(needed == strlen(expected));
    }
    if (!is_last_error) {
        /* (erpauth_last_error itself never replaces the message it reports.) */
        CHECK_CONTAINS(last_error_text(), "buffer");
    }

    /* A real buffer with capacity 0: nothing written. */
    buf = canary_buffer(8);
    len = 999;
    CHECK_STATUS(call(args, buf, 0, &len), ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(len == needed);
    CHECK(all_canary(buf, 0, 8));
    free(buf);

    /* Capacity 1 and capacity == needed (room for all but the NUL): nothing written. */
    buf = canary_buffer(1);
    len = 999;
    CHECK_STATUS(call(args, buf, 1, &len), ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(len == needed);
    CHECK(all_canary(buf, 0, 1));
    free(buf);

    buf = canary_buffer(needed);
    len = 999;
    CHECK_STATUS(call(args, buf, needed, &len), ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(len == needed);
    CHECK(all_canary(buf, 0, needed));
    free(buf);

    /* Capacity == needed + 1: the result and its NUL, exactly. */
    buf = canary_buffer(needed + 1);
    len = 999;
    if (CHECK_STATUS(call(args, buf, needed + 1, &len), ERPAUTH_OK)) {
        CHECK(len == needed);
        CHECK(buf[needed] == '\0');
        CHECK(strlen(buf) == needed);
        if (expected != NULL) {
            CHECK_STR(buf, expected);
        }
    }
    free(buf);

    /* A larger buffer: result, NUL, the rest untouched. */
    buf = canary_buffer(needed + 64);
    len = 999;
    if (CHECK_STATUS(call(args, buf, needed + 64, &len), ERPAUTH_OK)) {
        CHECK(len == needed);
        CHECK(buf[needed] == '\0');
        CHECK(all_canary(buf, needed + 1, needed + 64));
        if (expected != NULL) {
            CHECK_STR(buf, expected);
        }
    }
    free(buf);

    /* out_len NULL: INVALID_ARGUMENT, out[0] cleared, a message naming out_len. */
    buf = canary_buffer(needed + 1);
    CHECK_STATUS(call(args, buf, needed + 1, NULL), ERPAUTH_INVALID_ARGUMENT);
    if (!CHECK(buf[0] == '\0')) {
        printf("    %s with out_len NULL did not set out[0] = '\\0' (docs/protocol/c-api.md: "
               "\"any other failure: ... out[0] = '\\0'\")\n", name);
    }
    if (!is_last_error) {
        CHECK_CONTAINS(last_error_text(), "out_len");
    }
    free(buf);
    CHECK_STATUS(call(args, NULL, 0, NULL), ERPAUTH_INVALID_ARGUMENT);
}

/* Calls `fc` with argument `index` replaced by `value`; expects
 * INVALID_ARGUMENT with the failure part of the contract, and a message that
 * contains `must_contain` (when not NULL) and no secret. */
static void check_invalid(const function_case *fc, int index, const char *value,
                          const char *must_contain)
{
    const char *args[MAX_ARGS];
    char *buf = canary_buffer(512);
    size_t len = 999;
    int i;
    for (i = 0; i < fc->nargs; i++) {
        args[i] = i == index ? value : fc->good_args[i];
    }
    if (!CHECK_STATUS(fc->call(args, buf, 512, &len), ERPAUTH_INVALID_ARGUMENT)) {
        printf("    in %s with %s = \"%s\"\n", fc->name, fc->arg_names[index],
                value ? value : "NULL");
    }
    CHECK(len == 0);
    CHECK(buf[0] == '\0');
    if (must_contain != NULL) {
        CHECK_CONTAINS(last_error_text(), must_contain);
    }
    check_no_secret_in_last_error();
    /* The failure contract with no buffer at all. */
    len = 999;
    CHECK_STATUS(fc->call(args, NULL, 0, &len), ERPAUTH_INVALID_ARGUMENT);
    CHECK(len == 0);
    free(buf);
}

/* A pointer that is not NULL and not a signer: what *out_signer holds before
 * a _new call that must set it to NULL. */
static char not_a_signer;

/* erpauth_kingdee_signer_new(client_secret): INVALID_ARGUMENT, *out_signer
 * set to NULL, a message that contains `must_contain` (when not NULL) and no
 * secret. */
static void check_kingdee_signer_new_fails(const char *client_secret, const char *must_contain)
{
    erpauth_kingdee_signer *signer = (erpauth_kingdee_signer *)(void *)&not_a_signer;
    if (!CHECK_STATUS(erpauth_kingdee_signer_new(client_secret, &signer),
                      ERPAUTH_INVALID_ARGUMENT)) {
        printf("    with client_secret = \"%s\"\n", client_secret ? client_secret : "NULL");
    }
    CHECK(signer == NULL);
    if (must_contain != NULL) {
        CHECK_CONTAINS(last_error_text(), must_contain);
    }
    check_no_secret_in_last_error();
    if (signer != (erpauth_kingdee_signer *)(void *)&not_a_signer) {
        erpauth_kingdee_signer_free(signer); /* a signer made by mistake */
    }
}

/* erpauth_weaver_signer_new(appid, secret, aes_key): as above. */
static void check_weaver_signer_new_fails(const char *appid, const char *secret,
                                          const char *aes_key, const char *must_contain)
{
    erpauth_weaver_signer *signer = (erpauth_weaver_signer *)(void *)&not_a_signer;
    if (!CHECK_STATUS(erpauth_weaver_signer_new(appid, secret, aes_key, &signer),
                      ERPAUTH_INVALID_ARGUMENT)) {
        printf("    with appid = \"%s\", secret = \"%s\", aes_key = \"%s\"\n",
               appid ? appid : "NULL", secret ? secret : "NULL", aes_key ? aes_key : "NULL");
    }
    CHECK(signer == NULL);
    if (must_contain != NULL) {
        CHECK_CONTAINS(last_error_text(), must_contain);
    }
    check_no_secret_in_last_error();
    if (signer != (erpauth_weaver_signer *)(void *)&not_a_signer) {
        erpauth_weaver_signer_free(signer); /* a signer made by mistake */
    }
}

/* Bytes that are not UTF-8. Some start with a secret-looking valid prefix,
 * which must not be echoed back. */
static const char *const NOT_UTF8[] = {
    "\xff",
    "abc\xfe",
    "caf\xc3",             /* truncated two-byte sequence */
    "\xc0\xaf",            /* overlong '/' */
    "\xed\xa0\x80",        /* a UTF-16 surrogate */
    "\xf4\x90\x80\x80",    /* beyond U+10FFFF */
    "\xe4\xb8",            /* truncated 中 */
    "\xd6\xd0\xce\xc4",    /* 中文 in GBK */
    APP_SECRET "\xff",
    CLIENT_SECRET "\x80",
    WEAVER_SECRET "\xc3\x28",
};

static void test_null_and_non_utf8_arguments(void)
{
    size_t f, k;
    int i;
    printf("  NULL and non-UTF-8 for every string argument\n");
    for (f = 0; f < FUNCTION_COUNT; f++) {
        const function_case *fc = &FUNCTIONS[f];
        for (i = 0; i < fc->nargs; i++) {
            check_invalid(fc, i, NULL, fc->arg_names[i]);
            check_invalid(fc, i, NULL, "NULL");
            for (k = 0; k < sizeof NOT_UTF8 / sizeof NOT_UTF8[0]; k++) {
                check_invalid(fc, i, NOT_UTF8[k], fc->arg_names[i]);
                check_invalid(fc, i, NOT_UTF8[k], "UTF-8");
            }
        }
    }
}

static void test_malformed_targets(void)
{
    static const char *const bad_escapes[] = {
        "/p?a=%",     "/p?a=%4",  "/p?a=%G1",     "/p?a=%%41", "/p%zz",
        "/p%",        "/p%2",     "/p?%=1",       "/p?a=1&b=%x1", "/p?a=%-1",
        "/%%2F",
    };
    static const char *const bad_utf8[] = {
        "/p?a=%FF",    "/p?a=%e4%b8",    "/%C3%28",  "/p?a=%C0%AF",
        "/p?%ED%A0%80=1", "/p?a=%D6%D0",  "/p%80",
    };
    static const char *const not_a_path[] = {
        "", "p", "jdy/v2/bd/customer", "https://api.kingdee.com/jdy/v2/bd/customer", "?a=1",
    };
    size_t f, k;
    printf("  malformed escapes, non-UTF-8 escapes, targets without a path\n");
    for (f = 0; f < FUNCTION_COUNT; f++) {
        const function_case *fc = &FUNCTIONS[f];
        if (fc->target_arg < 0) {
            continue;
        }
        for (k = 0; k < sizeof bad_escapes / sizeof bad_escapes[0]; k++) {
            check_invalid(fc, fc->target_arg, bad_escapes[k], "escape");
        }
        for (k = 0; k < sizeof bad_utf8 / sizeof bad_utf8[0]; k++) {
            check_invalid(fc, fc->target_arg, bad_utf8[k], "UTF-8");
        }
        for (k = 0; k < sizeof not_a_path / sizeof not_a_path[0]; k++) {
            check_invalid(fc, fc->target_arg, not_a_path[k], "path");
        }
    }
}

static void test_other_bad_arguments(void)
{
    static const char *const bad_methods[] = {"", "G T", "GET\n", "G1", "GET ", "\xe4\xb8\xad"};
    static const char *const bad_digits[] = {"", "12a", "-1", "1.5", " 1", "1e9"};
    const function_case *sts = &FUNCTIONS[1], *sig = &FUNCTIONS[2], *headers = &FUNCTIONS[3];
    const function_case *signer_sig = &FUNCTIONS[6];
    size_t k;
    printf("  bad methods, nonces, timestamps, header values\n");
    for (k = 0; k < sizeof bad_methods / sizeof bad_methods[0]; k++) {
        check_invalid(sts, 0, bad_methods[k], "method");
        check_invalid(sig, 1, bad_methods[k], "method");
        check_invalid(headers, 2, bad_methods[k], "method");
        check_invalid(signer_sig, 0, bad_methods[k], "method");
    }
    for (k = 0; k < sizeof bad_digits / sizeof bad_digits[0]; k++) {
        check_invalid(sts, 2, bad_digits[k], "nonce");
        check_invalid(sts, 3, bad_digits[k], "timestamp");
        check_invalid(sig, 3, bad_digits[k], "nonce");
        check_invalid(sig, 4, bad_digits[k], "timestamp");
        check_invalid(signer_sig, 2, bad_digits[k], "nonce");
        check_invalid(signer_sig, 3, bad_digits[k], "timestamp");
    }
    /* client_id goes into a header: no empty value, no header injection. */
    check_invalid(headers, 0, "", "client_id");
    check_invalid(headers, 0, "id\r\nX-Evil: 1", "client_id");
    check_invalid(headers, 0, "id\n", "client_id");
}

static void test_aes_key_lengths(void)
{
    /* Wrong lengths in bytes of UTF-8: 0, 1, 8, 15, 17, 23, 25, 31, 33, 48, 64,
     * and five 3-byte characters (15 bytes although 5 characters). */
    static const char *const bad_keys[] = {
        "",
        "k",
        "kkkkkkkk",
        "SecretKey-15byt",
        "SecretKey-17bytes",
        "SecretKey-23-bytes-long",
        "SecretKey-25-bytes-long!!",
        "SecretKey-31-bytes-long-1234567",
        "SecretKey-33-bytes-long-123456789",
        "SecretKey-48-bytes-long-12345678901234567890abcd",
        "SecretKey-64-bytes-long-1234567890123456789012345678901234567890",
        "\xe5\xaf\x86\xe5\xaf\x86\xe5\xaf\x86\xe5\xaf\x86\xe5\xaf\x86",
    };
    static const size_t bad_sizes[] = {0, 1, 8, 15, 17, 23, 25, 31, 33, 48, 64, 15};
    struct {
        const char *key;
        const char *sign;
    } good[] = {
        {"8fy6K39X6PIEEeOq", VECTOR_WEAVER_SIGN},
        {"8fy6K39X6PIEEeOq12345678",
         "fff83f44cd4e9683dc1af819e56b952198d3ce610fa5291ba4296d33f174e5cdbc3b8dddf9e2f26a835be5"
         "889fd8a233"},
        {"8fy6K39X6PIEEeOq8fy6K39X6PIEEeOq",
         "9dd7a29c5d6a34de7b475acea80d141cb5935434d6180e870e744ba867122cfde4d508bc779dc044c94a9e"
         "c3337059cd"},
        /* "中文密钥abcd": 4 three-byte characters + 4 = 16 bytes. */
        {"\xe4\xb8\xad\xe6\x96\x87\xe5\xaf\x86\xe9\x92\xa5" "abcd",
         "47a2a4c2576e457589387c630168b851d76c2db1ba1574b78b5e7482de7c69b9754a870c7a6f211880241e"
         "a486890a4f"},
    };
    const function_case *weaver = &FUNCTIONS[4];
    char sign[128], size_text[32];
    size_t k, len;
    printf("  AES key lengths\n");
    for (k = 0; k < sizeof bad_keys / sizeof bad_keys[0]; k++) {
        CHECK(strlen(bad_keys[k]) == bad_sizes[k]);
        check_invalid(weaver, 2, bad_keys[k], "aes_key");
        check_invalid(weaver, 2, bad_keys[k], "16, 24 or 32");
        snprintf(size_text, sizeof size_text, "%u bytes", (unsigned)bad_sizes[k]);
        CHECK_CONTAINS(last_error_text(), size_text);
        if (bad_sizes[k] >= 8) {
            CHECK_NOT_CONTAINS(last_error_text(), bad_keys[k]);
        }
        /* A signer refuses the key when it is made. */
        check_weaver_signer_new_fails("weaverappid", "weaversecret", bad_keys[k], "aes_key");
        CHECK_CONTAINS(last_error_text(), "16, 24 or 32");
        CHECK_CONTAINS(last_error_text(), size_text);
        if (bad_sizes[k] >= 8) {
            CHECK_NOT_CONTAINS(last_error_text(), bad_keys[k]);
        }
    }
    for (k = 0; k < sizeof good / sizeof good[0]; k++) {
        erpauth_weaver_signer *signer = NULL;
        CHECK_STATUS(erpauth_weaver_sign("weaverappid", "weaversecret", good[k].key,
                                         1700000000000LL, sign, sizeof sign, &len),
                     ERPAUTH_OK);
        CHECK_STR(sign, good[k].sign);
        memset(sign, 0, sizeof sign);
        if (CHECK_STATUS(erpauth_weaver_signer_new("weaverappid", "weaversecret", good[k].key,
                                                   &signer),
                         ERPAUTH_OK)) {
            CHECK_STATUS(erpauth_weaver_signer_sign(signer, 1700000000000LL, sign, sizeof sign,
                                                    &len),
                         ERPAUTH_OK);
            CHECK_STR(sign, good[k].sign);
        }
        erpauth_weaver_signer_free(signer);
    }
}

/* Targets that differ on the wire but carry the same decoded request sign
 * the same string; a '+' in the path stays a plus. */
static void test_target_decoding(void)
{
    static const char *const same_as_a_space_b[] = {
        "/a%20b?q=%E4%B8%AD+x",
        "/a%20b?q=%e4%b8%ad%20x",
        "/a b?q=\xe4\xb8\xad x",
        "/a%20b?q=\xe4\xb8\xad+x",
        "/%61%20%62?%71=%E4%B8%AD%20%78",
    };
    const char *expected = "GET\n%2Fa+b\nq=%25E4%25B8%25AD%2Bx\nx-api-nonce:1\nx-api-timestamp:2\n";
    const char *expected_sorted =
        "POST\n%2Fjdy%2Fv2%2Fbd%2F%E5%AE%A2%E6%88%B7+list\na-b=x%2By&a=%2A%257E&k=1&k=1&k=2\n"
        "x-api-nonce:1\nx-api-timestamp:2\n";
    char out[512], out2[512];
    size_t k, len;
    printf("  request target decoding\n");
    for (k = 0; k < sizeof same_as_a_space_b / sizeof same_as_a_space_b[0]; k++) {
        CHECK_STATUS(erpauth_kingdee_string_to_sign("GET", same_as_a_space_b[k], "1", "2", out,
                                                    sizeof out, &len),
                     ERPAUTH_OK);
        CHECK_STR(out, expected);
    }
    CHECK_STATUS(erpauth_kingdee_string_to_sign("GET", "/a+b", "1", "2", out, sizeof out, &len),
                 ERPAUTH_OK);
    CHECK_STR(out, "GET\n%2Fa%2Bb\n\nx-api-nonce:1\nx-api-timestamp:2\n");

    /* Repeated keys all signed; whole "k=v" strings sorted; lower-case method. */
    CHECK_STATUS(erpauth_kingdee_string_to_sign(
                     "post", "/jdy/v2/bd/%E5%AE%A2%E6%88%B7%20list?k=2&k=1&a-b=x+y&a=*~&k=1", "1",
                     "2", out, sizeof out, &len),
                 ERPAUTH_OK);
    CHECK_STR(out, expected_sorted);
    /* The wire order of the parameters does not matter. */
    CHECK_STATUS(erpauth_kingdee_string_to_sign(
                     "POST", "/jdy/v2/bd/\xe5\xae\xa2\xe6\x88\xb7 list?a=%2A%7E&k=1&k=1&k=2&a-b=x%20y",
                     "1", "2", out2, sizeof out2, &len),
                 ERPAUTH_OK);
    CHECK_STR(out2, expected_sorted);
    CHECK_STATUS(erpauth_kingdee_signature("emu-client-secret", "post",
                                           "/jdy/v2/bd/%E5%AE%A2%E6%88%B7%20list?k=2&k=1&a-b=x+y&"
                                           "a=*~&k=1",
                                           "1", "2", out, sizeof out, &len),
                 ERPAUTH_OK);
    CHECK_STR(out, "N2IzY2M3MTg2ODcxMjQ3M2U5NzhiMWEwODhjZjEwODU2NjhmYTRkNDJmYTU2ZDc3MTc5YTUwNDFl"
                   "MTk5Nzc5Yg==");
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copies the value of header `name` out of "Name: value\r\n" lines. */
static int header_value(const char *lines, const char *name, char *value, size_t cap)
{
    size_t name_len = strlen(name);
    const char *line = lines;
    while (*line) {
        const char *end = strstr(line, "\r\n");
        if (end == NULL) {
            return 0;
        }
        if (strncmp(line, name, name_len) == 0 && line[name_len] == ':' &&
            line[name_len + 1] == ' ') {
            size_t n = (size_t)(end - (line + name_len + 2));
            if (n + 1 > cap) {
                return 0;
            }
            memcpy(value, line + name_len + 2, n);
            value[n] = '\0';
            return 1;
        }
        line = end + 2;
    }
    return 0;
}

static void test_sign_headers(void)
{
    static const char *const names[] = {"X-Api-ClientID",  "X-Api-Auth-Version",
                                        "X-Api-TimeStamp", "X-Api-Nonce",
                                        "X-Api-SignHeaders", "X-Api-Signature"};
    const char *target = "/jdy/v2/bd/customer?search=%E4%B8%AD+x&page=1";
    char out[512], nonce[32], ts[32], sig[128], expected[128], first_nonce[32] = "";
    const char *line;
    size_t len, k;
    int round;
    printf("  erpauth_kingdee_sign_headers\n");
    for (round = 0; round < 2; round++) {
        int64_t before = now_ms(), after, stamp;
        if (!CHECK_STATUS(erpauth_kingdee_sign_headers("my-client-id", CLIENT_SECRET, "GET", target,
                                                       out, sizeof out, &len),
                          ERPAUTH_OK)) {
            return;
        }
        after = now_ms();
        /* Six lines in the documented order, each "Name: value\r\n". */
        line = out;
        for (k = 0; k < 6; k++) {
            CHECK(strncmp(line, names[k], strlen(names[k])) == 0 && line[strlen(names[k])] == ':');
            line = strstr(line, "\r\n");
            if (!CHECK(line != NULL)) {
                return;
            }
            line += 2;
        }
        CHECK(*line == '\0');
        CHECK(header_value(out, "X-Api-ClientID", expected, sizeof expected) &&
              strcmp(expected, "my-client-id") == 0);
        CHECK(header_value(out, "X-Api-Auth-Version", expected, sizeof expected) &&
              strcmp(expected, "2.0") == 0);
        CHECK(header_value(out, "X-Api-SignHeaders", expected, sizeof expected) &&
              strcmp(expected, "X-Api-TimeStamp,X-Api-Nonce") == 0);
        CHECK(header_value(out, "X-Api-Nonce", nonce, sizeof nonce));
        CHECK(strlen(nonce) == 10 && strspn(nonce, "0123456789") == 10 && nonce[0] != '0');
        CHECK(header_value(out, "X-Api-TimeStamp", ts, sizeof ts));
        stamp = strtoll(ts, NULL, 10);
        CHECK(stamp >= before && stamp <= after);
        CHECK(header_value(out, "X-Api-Signature", sig, sizeof sig));
        CHECK_STATUS(erpauth_kingdee_signature(CLIENT_SECRET, "GET", target, nonce, ts, expected,
                                               sizeof expected, &len),
                     ERPAUTH_OK);
        CHECK_STR(sig, expected);
        CHECK_NOT_CONTAINS(out, CLIENT_SECRET);
        if (round == 0) {
            strcpy(first_nonce, nonce);
        } else {
            CHECK(strcmp(first_nonce, nonce) != 0); /* a fresh nonce per call */
        }
    }
}

static void test_weaver_now(void)
{
    char a[160], b[160];
    size_t len, k;
    printf("  erpauth_weaver_sign with timestamp <= 0\n");
    CHECK_STATUS(erpauth_weaver_sign("my-appid", WEAVER_SECRET, AES_KEY_16, 0, a, sizeof a, &len),
                 ERPAUTH_OK);
    CHECK(len == 96 && strspn(a, "0123456789abcdef") == 96);
    for (k = 0; k < 1000; k++) {
        CHECK_STATUS(erpauth_weaver_sign("my-appid", WEAVER_SECRET, AES_KEY_16, k % 2 ? -1 : 0, b,
                                         sizeof b, &len),
                     ERPAUTH_OK);
        if (!CHECK(strcmp(a, b) != 0)) {
            break;
        }
        memcpy(a, b, sizeof a);
    }
    CHECK_STATUS(erpauth_weaver_sign("my-appid", WEAVER_SECRET, AES_KEY_16, INT64_MIN, a, sizeof a,
                                     &len),
                 ERPAUTH_OK);
    /* The largest timestamp has 19 digits: 19 + 1 + 32 = 52 bytes, 4 blocks. */
    CHECK_STATUS(erpauth_weaver_sign("my-appid", WEAVER_SECRET, AES_KEY_16, INT64_MAX, a, sizeof a,
                                     &len),
                 ERPAUTH_OK);
    CHECK(len == 128 && strlen(a) == 128);
}

/* ------------------------------------------------------------------------ */
/* Signer handles                                                            */
/* ------------------------------------------------------------------------ */

static char *heap_copy(const char *text)
{
    char *copy = canary_buffer(strlen(text) + 1);
    memcpy(copy, text, strlen(text) + 1);
    return copy;
}

/* Overwrites and frees a heap_copy: a signer that kept the pointer instead of
 * what it needs would now sign garbage (and valgrind would see the read). */
static void wipe_and_free(char *text)
{
    volatile char *p = text;
    while (*p) {
        *p++ = 'x';
    }
    free(text);
}

/* The public vectors and a known answer through signers made from copies of
 * the credentials that are gone before the signer signs. */
static void test_signer_vectors(void)
{
    const char *sorted_target =
        "/jdy/v2/bd/%E5%AE%A2%E6%88%B7%20list?k=2&k=1&a-b=x+y&a=*~&k=1";
    char *secret, *appid, *aes_key, out[160];
    size_t len;
    erpauth_kingdee_signer *kingdee = NULL, *twin = NULL;
    erpauth_weaver_signer *weaver = NULL;
    printf("  signer handles: public vectors\n");

    secret = heap_copy("f2adcfef73369bfc4e1384677d38a0ff");
    CHECK_STATUS(erpauth_kingdee_signer_new(secret, &kingdee), ERPAUTH_OK);
    CHECK(kingdee != NULL);
    wipe_and_free(secret);
    CHECK_STATUS(erpauth_kingdee_signer_signature(kingdee, "GET", VECTOR_TARGET, "4427456950",
                                                  "1670305063559", out, sizeof out, &len),
                 ERPAUTH_OK);
    CHECK_STR(out, VECTOR_SIGNATURE);
    CHECK(len == strlen(VECTOR_SIGNATURE));

    /* A second signer of another secret; freeing one leaves the other intact. */
    secret = heap_copy("emu-client-secret");
    CHECK_STATUS(erpauth_kingdee_signer_new(secret, &twin), ERPAUTH_OK);
    wipe_and_free(secret);
    CHECK_STATUS(erpauth_kingdee_signer_signature(twin, "post", sorted_target, "1", "2", out,
                                                  sizeof out, &len),
                 ERPAUTH_OK);
    CHECK_STR(out, "N2IzY2M3MTg2ODcxMjQ3M2U5NzhiMWEwODhjZjEwODU2NjhmYTRkNDJmYTU2ZDc3MTc5YTUwNDFl"
                   "MTk5Nzc5Yg==");
    erpauth_kingdee_signer_free(twin);
    CHECK_STATUS(erpauth_kingdee_signer_signature(kingdee, "GET", VECTOR_TARGET, "4427456950",
                                                  "1670305063559", out, sizeof out, &len),
                 ERPAUTH_OK);
    CHECK_STR(out, VECTOR_SIGNATURE);
    erpauth_kingdee_signer_free(kingdee);

    appid = heap_copy("weaverappid");
    secret = heap_copy("weaversecret");
    aes_key = heap_copy("8fy6K39X6PIEEeOq");
    CHECK_STATUS(erpauth_weaver_signer_new(appid, secret, aes_key, &weaver), ERPAUTH_OK);
    CHECK(weaver != NULL);
    wipe_and_free(appid);
    wipe_and_free(secret);
    wipe_and_free(aes_key);
    CHECK_STATUS(erpauth_weaver_signer_sign(weaver, 1700000000000LL, out, sizeof out, &len),
                 ERPAUTH_OK);
    CHECK_STR(out, VECTOR_WEAVER_SIGN);
    CHECK(len == strlen(VECTOR_WEAVER_SIGN));
    erpauth_weaver_signer_free(weaver);
}

/* One signer per secret signs many requests, each compared with the one-shot
 * function: secrets empty, of exactly one HMAC block and longer (hashed
 * first), Chinese, with spaces and * ~ + = & %; targets with escapes in
 * either case, '+' and '%20', raw UTF-8, repeated keys, empty values and
 * flags; lower-case methods; all three AES key sizes and a Chinese key. */
static void test_signer_agreement(void)
{
    static const char *const secrets[] = {
        "",
        "f2adcfef73369bfc4e1384677d38a0ff",
        CLIENT_SECRET,
        "\xe5\xaf\x86\xe9\x92\xa5 secret * ~ + = & %",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef!",
    };
    static const char *const targets[] = {
        VECTOR_TARGET,
        "/",
        "/a+b",
        "/a%20b?q=%E4%B8%AD+x",
        "/a b?q=\xe4\xb8\xad x",
        "/jdy/v2/bd/%E5%AE%A2%E6%88%B7%20list?k=2&k=1&a-b=x+y&a=*~&k=1",
        "/jdy/v2/bd/\xe5\xae\xa2\xe6\x88\xb7 list?a=%2A%7E&k=1&k=1&k=2&a-b=x%20y",
        "/p?star=*&tilde=~&plus=%2B&eq=%3D&amp=%26&pct=%25&sp=a+b",
        "/p?empty=&flag&k=&k=v",
        "/jdy/v2/bd/customer?search=%e4%b8%ad%20x&page=1",
    };
    static const char *const methods[] = {"GET", "post", "DELETE"};
    static const char *const stamps[][2] = {{"4427456950", "1670305063559"}, {"1", "2"}};
    static const char *const credentials[][2] = {
        {"weaverappid", "weaversecret"},
        {"", ""},
        {"\xe4\xb8\xad\xe6\x96\x87 appid", "secret with spaces * ~ + = & %"},
        {"my-appid", WEAVER_SECRET},
    };
    static const char *const aes_keys[] = {
        "8fy6K39X6PIEEeOq",
        AES_KEY_16,
        "8fy6K39X6PIEEeOq12345678",
        "8fy6K39X6PIEEeOq8fy6K39X6PIEEeOq",
        "\xe4\xb8\xad\xe6\x96\x87\xe5\xaf\x86\xe9\x92\xa5" "abcd",
    };
    static const int64_t times[] = {1, 999, 1670305063559LL, 1700000000000LL, 9999999999999LL,
                                    INT64_MAX};
    char got[160], expected[160], one_shot_error[2048];
    size_t s, t, m, c, k, len;
    printf("  signer handles agree with the one-shot functions\n");

    for (s = 0; s < sizeof secrets / sizeof secrets[0]; s++) {
        erpauth_kingdee_signer *signer = NULL;
        if (!CHECK_STATUS(erpauth_kingdee_signer_new(secrets[s], &signer), ERPAUTH_OK)) {
            continue;
        }
        for (t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            for (m = 0; m < sizeof methods / sizeof methods[0]; m++) {
                const char *const *stamp = stamps[(t + m) % 2];
                CHECK_STATUS(erpauth_kingdee_signature(secrets[s], methods[m], targets[t],
                                                       stamp[0], stamp[1], expected,
                                                       sizeof expected, &len),
                             ERPAUTH_OK);
                CHECK_STATUS(erpauth_kingdee_signer_signature(signer, methods[m], targets[t],
                                                              stamp[0], stamp[1], got,
                                                              sizeof got, &len),
                             ERPAUTH_OK);
                if (!CHECK_STR(got, expected)) {
                    printf("    secret %u, %s %s\n", (unsigned)s, methods[m], targets[t]);
                }
            }
        }
        /* The same refusal, word for word. */
        CHECK_STATUS(erpauth_kingdee_signature(secrets[s], "GET", "/p?a=%G1", "1", "2", expected,
                                               sizeof expected, &len),
                     ERPAUTH_INVALID_ARGUMENT);
        snprintf(one_shot_error, sizeof one_shot_error, "%s", last_error_text());
        CHECK_STATUS(erpauth_kingdee_signer_signature(signer, "GET", "/p?a=%G1", "1", "2", got,
                                                      sizeof got, &len),
                     ERPAUTH_INVALID_ARGUMENT);
        CHECK_STR(last_error_text(), one_shot_error);
        erpauth_kingdee_signer_free(signer);
    }

    for (c = 0; c < sizeof credentials / sizeof credentials[0]; c++) {
        for (k = 0; k < sizeof aes_keys / sizeof aes_keys[0]; k++) {
            erpauth_weaver_signer *signer = NULL;
            if (!CHECK_STATUS(erpauth_weaver_signer_new(credentials[c][0], credentials[c][1],
                                                        aes_keys[k], &signer),
                              ERPAUTH_OK)) {
                continue;
            }
            for (t = 0; t < sizeof times / sizeof times[0]; t++) {
                CHECK_STATUS(erpauth_weaver_sign(credentials[c][0], credentials[c][1],
                                                 aes_keys[k], times[t], expected,
                                                 sizeof expected, &len),
                             ERPAUTH_OK);
                CHECK_STATUS(erpauth_weaver_signer_sign(signer, times[t], got, sizeof got, &len),
                             ERPAUTH_OK);
                if (!CHECK_STR(got, expected)) {
                    printf("    credentials %u, AES key %u, timestamp %u\n", (unsigned)c,
                           (unsigned)k, (unsigned)t);
                }
            }
            erpauth_weaver_signer_free(signer);
        }
    }
}

static void test_signer_arguments(void)
{
    static const char *const weaver_arg_names[] = {"appid", "secret", "aes_key"};
    char out[160], before[2048];
    size_t len, k;
    int i;
    printf("  signer handles: NULL and non-UTF-8 arguments, NULL signer, NULL out_signer\n");

    check_kingdee_signer_new_fails(NULL, "client_secret");
    CHECK_CONTAINS(last_error_text(), "NULL");
    for (k = 0; k < sizeof NOT_UTF8 / sizeof NOT_UTF8[0]; k++) {
        check_kingdee_signer_new_fails(NOT_UTF8[k], "client_secret");
        CHECK_CONTAINS(last_error_text(), "UTF-8");
    }
    for (i = 0; i < 3; i++) {
        const char *args[3] = {"my-appid", WEAVER_SECRET, AES_KEY_16};
        args[i] = NULL;
        check_weaver_signer_new_fails(args[0], args[1], args[2], weaver_arg_names[i]);
        CHECK_CONTAINS(last_error_text(), "NULL");
        for (k = 0; k < sizeof NOT_UTF8 / sizeof NOT_UTF8[0]; k++) {
            args[i] = NOT_UTF8[k];
            check_weaver_signer_new_fails(args[0], args[1], args[2], weaver_arg_names[i]);
            CHECK_CONTAINS(last_error_text(), "UTF-8");
        }
    }

    /* Nowhere to put the signer: refused, and the valid secrets stay out of the message. */
    CHECK_STATUS(erpauth_kingdee_signer_new(CLIENT_SECRET, NULL), ERPAUTH_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error_text(), "out_signer is NULL");
    check_no_secret_in_last_error();
    CHECK_STATUS(erpauth_weaver_signer_new("my-appid", WEAVER_SECRET, AES_KEY_16, NULL),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error_text(), "out_signer is NULL");
    check_no_secret_in_last_error();

    /* A NULL signer: the failure part of the buffer contract, a size query included. */
    memset(out, CANARY, sizeof out);
    len = 999;
    CHECK_STATUS(erpauth_kingdee_signer_signature(NULL, "GET", VECTOR_TARGET, "4427456950",
                                                  "1670305063559", out, sizeof out, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(len == 0 && out[0] == '\0');
    CHECK_CONTAINS(last_error_text(), "signer is NULL");
    len = 999;
    CHECK_STATUS(erpauth_kingdee_signer_signature(NULL, "GET", VECTOR_TARGET, "4427456950",
                                                  "1670305063559", NULL, 0, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(len == 0);
    for (i = 0; i < 2; i++) {
        int64_t stamp = i == 0 ? 1700000000000LL : 0;
        memset(out, CANARY, sizeof out);
        len = 999;
        CHECK_STATUS(erpauth_weaver_signer_sign(NULL, stamp, out, sizeof out, &len),
                     ERPAUTH_INVALID_ARGUMENT);
        CHECK(len == 0 && out[0] == '\0');
        CHECK_CONTAINS(last_error_text(), "signer is NULL");
        len = 999;
        CHECK_STATUS(erpauth_weaver_signer_sign(NULL, stamp, NULL, 0, &len),
                     ERPAUTH_INVALID_ARGUMENT);
        CHECK(len == 0);
    }

    /* Freeing NULL does nothing, the last error included. */
    snprintf(before, sizeof before, "%s", last_error_text());
    erpauth_kingdee_signer_free(NULL);
    erpauth_weaver_signer_free(NULL);
    CHECK_STR(last_error_text(), before);
}

#define SIGNER_THREADS 4
#define SIGNER_THREAD_CALLS 100

typedef struct {
    const erpauth_kingdee_signer *kingdee;
    const erpauth_weaver_signer *weaver;
    int index;
    int failures;   /* calls that did not return ERPAUTH_OK */
    int mismatches; /* signer results unlike the one-shot results */
    char now_signs[SIGNER_THREAD_CALLS][160];
} signer_thread_work;

/* Signs with the shared signers and the one-shot functions (CHECK is not
 * thread-safe, so the thread only counts and the main thread checks). */
static void *sign_in_thread(void *arg)
{
    signer_thread_work *w = (signer_thread_work *)arg;
    char target[80], nonce[32], got[160], expected[160];
    size_t len;
    int i;
    for (i = 0; i < SIGNER_THREAD_CALLS; i++) {
        int64_t stamp = 1700000000000LL + (int64_t)w->index * 1000000 + i;
        erpauth_status status;
        snprintf(target, sizeof target, "/jdy/v2/bd/customer?page=%d&thread=%d", i, w->index);
        snprintf(nonce, sizeof nonce, "%d%06d", w->index + 1, i);
        if (erpauth_kingdee_signer_signature(w->kingdee, "POST", target, nonce, "1670305063559",
                                             got, sizeof got, &len) != ERPAUTH_OK ||
            erpauth_kingdee_signature(CLIENT_SECRET, "POST", target, nonce, "1670305063559",
                                      expected, sizeof expected, &len) != ERPAUTH_OK) {
            w->failures++;
        } else if (strcmp(got, expected) != 0) {
            w->mismatches++;
        }
        if (erpauth_weaver_signer_sign(w->weaver, stamp, got, sizeof got, &len) != ERPAUTH_OK ||
            erpauth_weaver_sign("my-appid", WEAVER_SECRET, AES_KEY_16, stamp, expected,
                                sizeof expected, &len) != ERPAUTH_OK) {
            w->failures++;
        } else if (strcmp(got, expected) != 0) {
            w->mismatches++;
        }
        /* "Now" from the signer and the one-shot function in turn: the clock
         * they share gives every sign a time of its own. */
        if (i % 2) {
            status = erpauth_weaver_signer_sign(w->weaver, 0, w->now_signs[i],
                                                sizeof w->now_signs[i], &len);
        } else {
            status = erpauth_weaver_sign("my-appid", WEAVER_SECRET, AES_KEY_16, 0,
                                         w->now_signs[i], sizeof w->now_signs[i], &len);
        }
        if (status != ERPAUTH_OK) {
            w->failures++;
        }
    }
    return NULL;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_signer_threads(void)
{
    static signer_thread_work work[SIGNER_THREADS];
    static const char *signs[SIGNER_THREADS * SIGNER_THREAD_CALLS];
    pthread_t threads[SIGNER_THREADS];
    erpauth_kingdee_signer *kingdee = NULL;
    erpauth_weaver_signer *weaver = NULL;
    size_t count = 0, j, duplicates = 0;
    int i, started = 0;
    printf("  one signer of each kind shared by %d threads\n", SIGNER_THREADS);
    if (!CHECK_STATUS(erpauth_kingdee_signer_new(CLIENT_SECRET, &kingdee), ERPAUTH_OK) ||
        !CHECK_STATUS(erpauth_weaver_signer_new("my-appid", WEAVER_SECRET, AES_KEY_16, &weaver),
                      ERPAUTH_OK)) {
        erpauth_kingdee_signer_free(kingdee);
        erpauth_weaver_signer_free(weaver);
        return;
    }
    memset(work, 0, sizeof work);
    for (i = 0; i < SIGNER_THREADS; i++) {
        work[i].kingdee = kingdee;
        work[i].weaver = weaver;
        work[i].index = i;
        if (!CHECK(pthread_create(&threads[i], NULL, sign_in_thread, &work[i]) == 0)) {
            break;
        }
        started++;
    }
    for (i = 0; i < started; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        if (!CHECK(work[i].failures == 0 && work[i].mismatches == 0)) {
            printf("    thread %d: %d failed calls, %d mismatches\n", i, work[i].failures,
                   work[i].mismatches);
        }
        for (j = 0; j < SIGNER_THREAD_CALLS; j++) {
            signs[count++] = work[i].now_signs[j];
        }
    }
    erpauth_kingdee_signer_free(kingdee);
    erpauth_weaver_signer_free(weaver);
    CHECK(count == SIGNER_THREADS * SIGNER_THREAD_CALLS);
    qsort(signs, count, sizeof signs[0], compare_strings);
    for (j = 1; j < count; j++) {
        duplicates += strcmp(signs[j - 1], signs[j]) == 0;
    }
    if (!CHECK(duplicates == 0)) {
        printf("    %u of %u signs of \"now\" repeat an earlier one\n", (unsigned)duplicates,
               (unsigned)count);
    }
}

/* ------------------------------------------------------------------------ */
/* erpauth_last_error and erpauth_version                                    */
/* ------------------------------------------------------------------------ */

typedef struct {
    char message_at_start[256];
    size_t len_at_start;
    erpauth_status status_at_start;
    char own_message[256];
} thread_result;

static void *other_thread(void *arg)
{
    thread_result *r = (thread_result *)arg;
    size_t len = 0;
    char out[8];
    r->status_at_start =
        erpauth_last_error(r->message_at_start, sizeof r->message_at_start, &r->len_at_start);
    erpauth_weaver_sign("a", "s", "short", 1, out, sizeof out, &len);
    erpauth_last_error(r->own_message, sizeof r->own_message, &len);
    return NULL;
}

static void test_last_error(void)
{
    char message[512], again[512];
    size_t len, needed;
    pthread_t thread;
    thread_result r;
    const char *none[1] = {NULL};
    printf("  erpauth_last_error\n");

    /* A failure, then a success: the message of the failure stays. */
    CHECK_STATUS(erpauth_kingdee_app_signature(NULL, APP_SECRET, message, sizeof message, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK_STATUS(erpauth_last_error(message, sizeof message, &len), ERPAUTH_OK);
    CHECK(len == strlen(message) && len > 0);
    CHECK_CONTAINS(message, "app_key");
    CHECK_STATUS(erpauth_kingdee_app_signature("k", APP_SECRET, again, sizeof again, &len),
                 ERPAUTH_OK);
    CHECK_STATUS(erpauth_last_error(again, sizeof again, &len), ERPAUTH_OK);
    CHECK_STR(again, message);

    /* Its own buffer contract; a too-small call does not replace the message. */
    check_buffer_contract("erpauth_last_error", call_last_error, none, message, 1);
    CHECK_STATUS(erpauth_last_error(NULL, 0, &needed), ERPAUTH_BUFFER_TOO_SMALL);
    CHECK_STATUS(erpauth_last_error(again, needed, &len), ERPAUTH_BUFFER_TOO_SMALL);
    CHECK_STATUS(erpauth_last_error(again, needed + 1, &len), ERPAUTH_OK);
    CHECK_CONTAINS(again, "app_key");
    CHECK(len == needed);

    /* Thread-local: a new thread starts empty, its failure stays its own. */
    memset(&r, 0, sizeof r);
    CHECK(pthread_create(&thread, NULL, other_thread, &r) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK_STATUS(r.status_at_start, ERPAUTH_OK);
    CHECK(r.len_at_start == 0);
    CHECK_STR(r.message_at_start, "");
    CHECK_CONTAINS(r.own_message, "aes_key");
    CHECK_STATUS(erpauth_last_error(again, sizeof again, &len), ERPAUTH_OK);
    CHECK_CONTAINS(again, "app_key");
}

static void test_version(void)
{
    const char *version = erpauth_version();
    printf("  erpauth_version: %s\n", version ? version : "(null)");
    CHECK(version != NULL);
    CHECK_STR(version, EXPECTED_VERSION);
    CHECK(erpauth_version() == version || strcmp(erpauth_version(), version) == 0);

    /* The header states its version: the documented mismatch check of a host
     * is this comparison, and the three numbers make up the text. */
    CHECK_STR(ERPAUTH_VERSION, EXPECTED_VERSION);
    CHECK(strcmp(erpauth_version(), ERPAUTH_VERSION) == 0);
    {
        char joined[64];
        snprintf(joined, sizeof joined, "%d.%d.%d", ERPAUTH_VERSION_MAJOR, ERPAUTH_VERSION_MINOR,
                 ERPAUTH_VERSION_PATCH);
        CHECK_STR(joined, ERPAUTH_VERSION);
    }
}

int main(void)
{
    size_t f;
    printf("test_pure (erpauth %s)\n", erpauth_version());
    test_version();
    CHECK_STATUS(erpauth_kingdee_signer_new("f2adcfef73369bfc4e1384677d38a0ff",
                                            &vector_kingdee_signer),
                 ERPAUTH_OK);
    CHECK_STATUS(erpauth_weaver_signer_new("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq",
                                           &vector_weaver_signer),
                 ERPAUTH_OK);
    for (f = 0; f < FUNCTION_COUNT; f++) {
        check_buffer_contract(FUNCTIONS[f].name, FUNCTIONS[f].call, FUNCTIONS[f].good_args,
                              FUNCTIONS[f].expected, 0);
    }
    test_null_and_non_utf8_arguments();
    test_malformed_targets();
    test_other_bad_arguments();
    test_aes_key_lengths();
    test_target_decoding();
    test_sign_headers();
    test_weaver_now();
    test_signer_vectors();
    test_signer_agreement();
    test_signer_arguments();
    test_signer_threads();
    test_last_error();
    erpauth_kingdee_signer_free(vector_kingdee_signer);
    erpauth_weaver_signer_free(vector_weaver_signer);
    return check_report("test_pure");
}
