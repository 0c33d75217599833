/*
 * The token clients of the C ABI against the local emulator
 * (`erpauth emulate --port 0 --exit-on-stdin-eof`, started by this program;
 * $ERPAUTH_EMULATOR names the binary): configs good and bad, the buffer
 * contract on token calls with the emulator's request counters proving that
 * a retry makes no second request, business-call headers that the emulator
 * accepts, invalidate and free, refusals with the server's words, and
 * nothing listening. Messages never contain a secret.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "emulator.h"

/* The emulator's default credentials (docs/EMULATOR.md). */
#define KD_CLIENT_ID "emu-client-id"
#define KD_CLIENT_SECRET "emu-client-secret"
#define KD_APP_KEY "emuAppKey"
#define KD_APP_SECRET "emu-app-secret"
#define KD_DOMAIN "https://emu.jdy.com"
#define WV_APPID "emu-appid"
#define WV_SECRET "emu-secret"
#define WV_AES_KEY "emu-aes-key-0016"
/* Wrong secrets handed to the library in the refusal tests. */
#define WRONG_APP_SECRET "wrong-app-secret-Xq81"
#define WRONG_CLIENT_SECRET "wrong-client-secret-Vb27"
#define WRONG_AES_KEY "wrong-aes-key-16"
#define NUMERIC_SECRET "98765432101234"

static const char *const SECRETS[] = {KD_CLIENT_SECRET,    KD_APP_SECRET, WV_SECRET,
                                      WV_AES_KEY,          WRONG_APP_SECRET,
                                      WRONG_CLIENT_SECRET, WRONG_AES_KEY, NUMERIC_SECRET};

static emulator_process emu;

static void check_no_secret(const char *text)
{
    size_t i;
    for (i = 0; i < sizeof SECRETS / sizeof SECRETS[0]; i++) {
        CHECK_NOT_CONTAINS(text, SECRETS[i]);
    }
}

static void check_last_error_clean(void)
{
    const char *message = last_error_text();
    check_no_secret(message);
    CHECK(strchr(message, '\n') == NULL);
}

static void kingdee_config(char *json, size_t cap, const char *base_url, const char *client_secret,
                           const char *app_secret, const char *extra)
{
    snprintf(json, cap,
             "{\"client_id\":\"" KD_CLIENT_ID "\",\"client_secret\":\"%s\",\"app_key\":\"" KD_APP_KEY
             "\",\"app_secret\":\"%s\",\"base_url\":\"%s\",\"domain\":\"" KD_DOMAIN
             "\",\"timeout_ms\":5000%s}",
             client_secret, app_secret, base_url, extra ? extra : "");
}

static void weaver_config(char *json, size_t cap, const char *base_url, const char *appid,
                          const char *aes_key)
{
    snprintf(json, cap,
             "{\"base_url\":\"%s\",\"appid\":\"%s\",\"secret\":\"" WV_SECRET
             "\",\"aes_key\":\"%s\",\"timeout_ms\":5000}",
             base_url, appid, aes_key);
}

/* ------------------------------------------------------------------------ */
/* Configs                                                                   */
/* ------------------------------------------------------------------------ */

static void check_bad_kingdee_config(const char *json, const char *must_name)
{
    erpauth_kingdee_client *client = (erpauth_kingdee_client *)&emu; /* not NULL */
    if (!CHECK_STATUS(erpauth_kingdee_client_new(json, &client), ERPAUTH_INVALID_ARGUMENT)) {
        printf("    config: %s\n", json ? json : "NULL");
    }
    CHECK(client == NULL);
    if (must_name != NULL) {
        CHECK_CONTAINS(last_error_text(), must_name);
    }
    check_last_error_clean();
    if (client != (erpauth_kingdee_client *)&emu) {
        erpauth_kingdee_client_free(client); /* a client made by mistake */
    }
}

static void check_bad_weaver_config(const char *json, const char *must_name)
{
    erpauth_weaver_client *client = (erpauth_weaver_client *)&emu; /* not NULL */
    if (!CHECK_STATUS(erpauth_weaver_client_new(json, &client), ERPAUTH_INVALID_ARGUMENT)) {
        printf("    config: %s\n", json ? json : "NULL");
    }
    CHECK(client == NULL);
    if (must_name != NULL) {
        CHECK_CONTAINS(last_error_text(), must_name);
    }
    check_last_error_clean();
    if (client != (erpauth_weaver_client *)&emu) {
        erpauth_weaver_client_free(client); /* a client made by mistake */
    }
}

static void test_configs(void)
{
    char json[1024];
    erpauth_kingdee_client *kd = NULL;
    erpauth_weaver_client *wv = NULL;
    printf("  client configs\n");

    kingdee_config(json, sizeof json, emu.base_url, KD_CLIENT_SECRET, KD_APP_SECRET, NULL);
    CHECK_STATUS(erpauth_kingdee_client_new(json, &kd), ERPAUTH_OK);
    CHECK(kd != NULL);
    erpauth_kingdee_client_free(kd);
    /* Every documented optional key. */
    kingdee_config(json, sizeof json, emu.base_url, KD_CLIENT_SECRET, KD_APP_SECRET,
                   ",\"uid\":\"700123\",\"refresh_margin_s\":60");
    kd = NULL;
    if (!CHECK_STATUS(erpauth_kingdee_client_new(json, &kd), ERPAUTH_OK)) {
        printf("    config: %s\n", json);
    }
    erpauth_kingdee_client_free(kd);

    CHECK_STATUS(erpauth_kingdee_client_new(json, NULL), ERPAUTH_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error_text(), "out_client");
    check_bad_kingdee_config(NULL, "config_json");
    check_bad_kingdee_config("", NULL);
    check_bad_kingdee_config("{", NULL);
    check_bad_kingdee_config("[]", NULL);
    check_bad_kingdee_config("null", NULL);
    check_bad_kingdee_config("{\"client_id\":\"" KD_CLIENT_ID "\",\"client_secret\":\"" KD_CLIENT_SECRET
                             "\",", NULL);
    check_bad_kingdee_config("{\"client_id\":\"\xff\xfe\"}", NULL);
    /* An unknown key (a typo) is named. */
    kingdee_config(json, sizeof json, emu.base_url, KD_CLIENT_SECRET, KD_APP_SECRET,
                   ",\"client_secrte\":\"x\"");
    check_bad_kingdee_config(json, "client_secrte");
    /* Wrong types are named; a secret given as a number is not echoed. */
    kingdee_config(json, sizeof json, emu.base_url, KD_CLIENT_SECRET, KD_APP_SECRET,
                   ",\"timeout_ms\":\"soon\"");
    check_bad_kingdee_config(json, "timeout_ms");
    check_bad_kingdee_config("{\"client_id\":5,\"client_secret\":\"" KD_CLIENT_SECRET
                             "\",\"app_key\":\"" KD_APP_KEY "\",\"app_secret\":\"" KD_APP_SECRET
                             "\"}",
                             "client_id");
    check_bad_kingdee_config("{\"client_id\":\"" KD_CLIENT_ID "\",\"client_secret\":" NUMERIC_SECRET
                             ",\"app_key\":\"" KD_APP_KEY "\",\"app_secret\":\"" KD_APP_SECRET
                             "\"}",
                             "client_secret");
    check_bad_kingdee_config("{\"client_id\":\"" KD_CLIENT_ID "\",\"client_secret\":\"" KD_CLIENT_SECRET
                             "\",\"app_key\":\"" KD_APP_KEY "\",\"app_secret\":[\"" KD_APP_SECRET
                             "\"]}",
                             "app_secret");
    /* A missing required key is named. */
    check_bad_kingdee_config("{\"client_id\":\"" KD_CLIENT_ID "\",\"client_secret\":\"" KD_CLIENT_SECRET
                             "\",\"app_key\":\"" KD_APP_KEY "\"}",
                             "app_secret");

    weaver_config(json, sizeof json, emu.base_url, WV_APPID, WV_AES_KEY);
    CHECK_STATUS(erpauth_weaver_client_new(json, &wv), ERPAUTH_OK);
    CHECK(wv != NULL);
    erpauth_weaver_client_free(wv);
    CHECK_STATUS(erpauth_weaver_client_new(json, NULL), ERPAUTH_INVALID_ARGUMENT);
    check_bad_weaver_config(NULL, "config_json");
    check_bad_weaver_config("{\"base_url\":", NULL);
    check_bad_weaver_config("{\"base_url\":\"http://127.0.0.1:1\",\"appid\":\"a\",\"secret\":\"" WV_SECRET
                            "\",\"aes_key\":\"" WV_AES_KEY "\",\"token_tll_s\":10}",
                            "token_tll_s");
    check_bad_weaver_config("{\"base_url\":\"http://127.0.0.1:1\",\"appid\":\"a\",\"secret\":\"" WV_SECRET
                            "\",\"aes_key\":\"" WV_AES_KEY "\",\"token_ttl_s\":\"10\"}",
                            "token_ttl_s");
    check_bad_weaver_config("{\"base_url\":\"http://127.0.0.1:1\",\"appid\":\"a\",\"secret\":\"" WV_SECRET
                            "\"}",
                            "aes_key");
    /* A key of 15 bytes: named by its argument, never shown. */
    weaver_config(json, sizeof json, emu.base_url, WV_APPID, "emu-aes-key-015");
    check_bad_weaver_config(json, "aes_key");
    CHECK_NOT_CONTAINS(last_error_text(), "emu-aes-key-015");
}

/* ------------------------------------------------------------------------ */
/* Kingdee                                                                   */
/* ------------------------------------------------------------------------ */

#define CANARY ((char)0x5A)

/* Whether the emulator knows `token` as a valid token of `system`. */
static int emulator_knows_token(const char *system, const char *token)
{
    char target[512], want[64];
    http_response r;
    snprintf(target, sizeof target, "/__emulator/token?token=%s", token);
    snprintf(want, sizeof want, "\"system\":\"%s\"", system);
    return http_request(emu.port, "GET", target, NULL, NULL, &r) == 0 && r.status == 200 &&
           strstr(r.body, want) != NULL && strstr(r.body, "\"valid\":true") != NULL;
}

static void test_kingdee_token_and_headers(void)
{
    char json[1024], token[256], token2[256], headers[2048], line[512];
    size_t needed = 0, len = 0;
    erpauth_kingdee_client *client = NULL;
    http_response r;
    printf("  Kingdee app-token, headers, business call, invalidate\n");

    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "{}") == 0);
    kingdee_config(json, sizeof json, emu.base_url, KD_CLIENT_SECRET, KD_APP_SECRET, NULL);
    if (!CHECK_STATUS(erpauth_kingdee_client_new(json, &client), ERPAUTH_OK)) {
        return;
    }
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 0); /* no request before asked */

    /* Size query: one request, the token cached. */
    CHECK_STATUS(erpauth_kingdee_client_app_token(client, NULL, 0, &needed),
                 ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(needed > 0 && needed < sizeof token);
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 1);
    /* Room for all but the NUL: nothing written, still one request. */
    memset(token, CANARY, sizeof token);
    CHECK_STATUS(erpauth_kingdee_client_app_token(client, token, needed, &len),
                 ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(len == needed);
    CHECK(token[0] == CANARY && token[needed - 1] == CANARY && token[needed] == CANARY);
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 1);
    /* Retry with needed + 1: served from the cache. */
    memset(token, CANARY, sizeof token);
    CHECK_STATUS(erpauth_kingdee_client_app_token(client, token, needed + 1, &len), ERPAUTH_OK);
    CHECK(len == needed && token[needed] == '\0' && token[needed + 1] == CANARY);
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 1);
    CHECK(emulator_knows_token("kingdee", token));
    CHECK_STATUS(erpauth_kingdee_client_app_token(client, token2, sizeof token2, &len), ERPAUTH_OK);
    CHECK_STR(token2, token);
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 1);
    CHECK_STATUS(erpauth_kingdee_client_app_token(client, token2, sizeof token2, NULL),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(token2[0] == '\0');

    /* Headers of a business call: size query, then the call with them. */
    CHECK_STATUS(erpauth_kingdee_client_headers(client, "GET", "/jdy/v2/bd/customer", NULL, 0,
                                                &needed),
                 ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(needed > 200 && needed < sizeof headers);
    if (CHECK_STATUS(erpauth_kingdee_client_headers(client, "GET", "/jdy/v2/bd/customer", headers,
                                                    sizeof headers, &len),
                     ERPAUTH_OK)) {
        CHECK(len == strlen(headers));
        CHECK(strncmp(headers, "X-Api-ClientID: " KD_CLIENT_ID "\r\n", 16 + strlen(KD_CLIENT_ID) + 2) == 0);
        CHECK_CONTAINS(headers, "\r\nX-Api-Auth-Version: 2.0\r\n");
        CHECK_CONTAINS(headers, "\r\nX-Api-TimeStamp: ");
        CHECK_CONTAINS(headers, "\r\nX-Api-Nonce: ");
        CHECK_CONTAINS(headers, "\r\nX-Api-SignHeaders: X-Api-TimeStamp,X-Api-Nonce\r\n");
        CHECK_CONTAINS(headers, "\r\nX-Api-Signature: ");
        snprintf(line, sizeof line, "app-token: %s\r\n", token);
        CHECK_CONTAINS(headers, line);
        CHECK_CONTAINS(headers, "X-GW-Router-Addr: " KD_DOMAIN "\r\n");
        check_no_secret(headers);
        CHECK(http_request(emu.port, "GET", "/jdy/v2/bd/customer", headers, NULL, &r) == 0);
        CHECK(r.status == 200);
        CHECK_CONTAINS(r.body, "\"errcode\":0");
        CHECK_CONTAINS(r.body, "\xe6\xb5\x8b\xe8\xaf\x95\xe5\xae\xa2\xe6\x88\xb7"); /* 测试客户 */
        /* The same headers again: the nonce is used up. */
        CHECK(http_request(emu.port, "GET", "/jdy/v2/bd/customer", headers, NULL, &r) == 0);
        CHECK(r.status == 519);
    }
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 1);
    CHECK_STATUS(erpauth_kingdee_client_headers(client, "GET", "jdy/v2/bd/customer", headers,
                                                sizeof headers, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(len == 0 && headers[0] == '\0');
    CHECK_STATUS(erpauth_kingdee_client_headers(client, NULL, "/jdy/v2/bd/customer", headers,
                                                sizeof headers, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error_text(), "method");
    CHECK_STATUS(erpauth_kingdee_client_headers(NULL, "GET", "/jdy/v2/bd/customer", headers,
                                                sizeof headers, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error_text(), "client");
    CHECK_STATUS(erpauth_kingdee_client_app_token(NULL, token2, sizeof token2, &len),
                 ERPAUTH_INVALID_ARGUMENT);

    /* The gateway expired the token (4011): invalidate, fetch anew, call again. */
    CHECK(emulator_post(&emu, "/__emulator/expire_tokens", "{}") == 0);
    CHECK_STATUS(erpauth_kingdee_client_headers(client, "GET", "/jdy/v2/bd/customer", headers,
                                                sizeof headers, &len),
                 ERPAUTH_OK);
    CHECK(http_request(emu.port, "GET", "/jdy/v2/bd/customer", headers, NULL, &r) == 0);
    CHECK(r.status == 519);
    CHECK_CONTAINS(r.body, "4011");
    erpauth_kingdee_client_invalidate(client);
    CHECK_STATUS(erpauth_kingdee_client_app_token(client, token2, sizeof token2, &len), ERPAUTH_OK);
    CHECK(strcmp(token2, token) != 0);
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 2);
    CHECK_STATUS(erpauth_kingdee_client_headers(client, "GET", "/jdy/v2/bd/customer", headers,
                                                sizeof headers, &len),
                 ERPAUTH_OK);
    CHECK(http_request(emu.port, "GET", "/jdy/v2/bd/customer", headers, NULL, &r) == 0);
    CHECK(r.status == 200);
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 2);
    CHECK(emulator_stat(&emu, "cookies_received") == 0);

    erpauth_kingdee_client_invalidate(NULL);
    erpauth_kingdee_client_free(client);
    erpauth_kingdee_client_free(NULL);
}

#define THREADS 8

typedef struct {
    erpauth_kingdee_client *client;
    char token[256];
    erpauth_status status;
} token_thread;

static void *fetch_token(void *arg)
{
    token_thread *t = (token_thread *)arg;
    size_t len = 0;
    t->status = erpauth_kingdee_client_app_token(t->client, t->token, sizeof t->token, &len);
    return NULL;
}

static void test_kingdee_single_flight(void)
{
    char json[1024];
    erpauth_kingdee_client *client = NULL;
    pthread_t threads[THREADS];
    token_thread results[THREADS];
    int i;
    printf("  Kingdee app-token from %d threads at once: one request\n", THREADS);
    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "{}") == 0);
    kingdee_config(json, sizeof json, emu.base_url, KD_CLIENT_SECRET, KD_APP_SECRET, NULL);
    if (!CHECK_STATUS(erpauth_kingdee_client_new(json, &client), ERPAUTH_OK)) {
        return;
    }
    for (i = 0; i < THREADS; i++) {
        results[i].client = client;
        results[i].status = ERPAUTH_INTERNAL;
        CHECK(pthread_create(&threads[i], NULL, fetch_token, &results[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK_STATUS(results[i].status, ERPAUTH_OK);
        CHECK_STR(results[i].token, results[0].token);
    }
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 1);
    erpauth_kingdee_client_free(client);
}

static void check_kingdee_refusal(const char *client_secret, const char *app_secret,
                                  const char *const *words)
{
    char json[1024], out[256];
    size_t len = 999;
    erpauth_kingdee_client *client = NULL;
    kingdee_config(json, sizeof json, emu.base_url, client_secret, app_secret, NULL);
    if (!CHECK_STATUS(erpauth_kingdee_client_new(json, &client), ERPAUTH_OK)) {
        return;
    }
    memset(out, CANARY, sizeof out);
    CHECK_STATUS(erpauth_kingdee_client_app_token(client, out, sizeof out, &len), ERPAUTH_REJECTED);
    CHECK(len == 0 && out[0] == '\0');
    for (; *words != NULL; words++) {
        CHECK_CONTAINS(last_error_text(), *words);
    }
    check_last_error_clean();
    printf("    REJECTED: %s\n", last_error_text());
    erpauth_kingdee_client_free(client);
}

static void test_kingdee_refusals(void)
{
    /* The app_secret rotated: errcode 1030002006 授权密钥校验失败. */
    static const char *const rotated[] = {"1030002006",
                                          "\xe6\x8e\x88\xe6\x9d\x83\xe5\xaf\x86\xe9\x92\xa5\xe6\xa0"
                                          "\xa1\xe9\xaa\x8c\xe5\xa4\xb1\xe8\xb4\xa5",
                                          NULL};
    /* The client_secret is wrong: gateway code 4008. */
    static const char *const bad_signature[] = {"4008", "signature invalid", NULL};
    printf("  Kingdee refusals\n");
    check_kingdee_refusal(KD_CLIENT_SECRET, WRONG_APP_SECRET, rotated);
    check_kingdee_refusal(WRONG_CLIENT_SECRET, KD_APP_SECRET, bad_signature);
}

/* ------------------------------------------------------------------------ */
/* Weaver                                                                    */
/* ------------------------------------------------------------------------ */

static void test_weaver_tokens(void)
{
    char json[1024], token[256], token2[256], user_token[256], userid[256], userid2[256],
        target[512];
    size_t needed = 0, len = 0;
    erpauth_weaver_client *client = NULL;
    http_response r;
    printf("  Weaver tokens and userid\n");

    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "{}") == 0);
    weaver_config(json, sizeof json, emu.base_url, WV_APPID, WV_AES_KEY);
    if (!CHECK_STATUS(erpauth_weaver_client_new(json, &client), ERPAUTH_OK)) {
        return;
    }
    /* The plain token: size query (one request), retry from the cache. */
    CHECK_STATUS(erpauth_weaver_client_token(client, NULL, NULL, NULL, 0, &needed),
                 ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(needed == 36); /* a UUID */
    CHECK(emulator_stat(&emu, "weaver_get_token") == 1);
    memset(token, CANARY, sizeof token);
    CHECK_STATUS(erpauth_weaver_client_token(client, NULL, NULL, token, needed, &len),
                 ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(token[0] == CANARY);
    CHECK_STATUS(erpauth_weaver_client_token(client, NULL, NULL, token, needed + 1, &len),
                 ERPAUTH_OK);
    CHECK(len == needed && token[needed] == '\0');
    CHECK(emulator_stat(&emu, "weaver_get_token") == 1);
    CHECK(emulator_knows_token("weaver", token));

    /* A user's token and its userid: one more request for the pair. */
    CHECK_STATUS(erpauth_weaver_client_token(client, "loginid", "zhangs", user_token,
                                             sizeof user_token, &len),
                 ERPAUTH_OK);
    CHECK(strcmp(user_token, token) != 0);
    CHECK_STATUS(erpauth_weaver_client_userid(client, "loginid", "zhangs", NULL, 0, &needed),
                 ERPAUTH_BUFFER_TOO_SMALL);
    CHECK_STATUS(erpauth_weaver_client_userid(client, "loginid", "zhangs", userid, needed + 1,
                                              &len),
                 ERPAUTH_OK);
    CHECK(len == 24); /* Base64 of one AES block */
    CHECK(emulator_stat(&emu, "weaver_get_token") == 2);
    snprintf(target, sizeof target, "/__emulator/token?token=%s", user_token);
    CHECK(http_request(emu.port, "GET", target, NULL, NULL, &r) == 0);
    CHECK_CONTAINS(r.body, "\"user\":\"9\"");
    /* The same user by id: the same encrypted userid; another user: another. */
    CHECK_STATUS(erpauth_weaver_client_userid(client, "id", "9", userid2, sizeof userid2, &len),
                 ERPAUTH_OK);
    CHECK_STR(userid2, userid);
    CHECK_STATUS(erpauth_weaver_client_userid(client, "workcode", "A001", userid2,
                                              sizeof userid2, &len),
                 ERPAUTH_OK);
    CHECK(strcmp(userid2, userid) != 0);
    CHECK(emulator_stat(&emu, "weaver_get_token") == 4);

    /* Arguments that do not go together. */
    CHECK_STATUS(erpauth_weaver_client_userid(client, NULL, NULL, userid2, sizeof userid2, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error_text(), "user_type");
    CHECK_STATUS(erpauth_weaver_client_token(client, "loginid", NULL, token2, sizeof token2, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error_text(), "user_contain");
    CHECK_STATUS(erpauth_weaver_client_token(client, "loginid", "zh\xe5", token2, sizeof token2,
                                             &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error_text(), "user_contain");
    CHECK_STATUS(erpauth_weaver_client_token(NULL, NULL, NULL, token2, sizeof token2, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(emulator_stat(&emu, "weaver_get_token") == 4);

    /* Invalidate: every cached token goes. */
    erpauth_weaver_client_invalidate(client);
    CHECK_STATUS(erpauth_weaver_client_token(client, NULL, NULL, token2, sizeof token2, &len),
                 ERPAUTH_OK);
    CHECK(strcmp(token2, token) != 0);
    CHECK(emulator_stat(&emu, "weaver_get_token") == 5);
    CHECK(emulator_stat(&emu, "cookies_received") == 0);
    erpauth_weaver_client_invalidate(NULL);
    erpauth_weaver_client_free(client);
    erpauth_weaver_client_free(NULL);
}

static void check_weaver_refusal(const char *appid, const char *aes_key, const char *user_type,
                                 const char *user_contain, const char *words)
{
    char json[1024], out[256];
    size_t len = 999;
    erpauth_weaver_client *client = NULL;
    weaver_config(json, sizeof json, emu.base_url, appid, aes_key);
    if (!CHECK_STATUS(erpauth_weaver_client_new(json, &client), ERPAUTH_OK)) {
        return;
    }
    memset(out, CANARY, sizeof out);
    CHECK_STATUS(erpauth_weaver_client_token(client, user_type, user_contain, out, sizeof out, &len),
                 ERPAUTH_REJECTED);
    CHECK(len == 0 && out[0] == '\0');
    CHECK_CONTAINS(last_error_text(), words);
    check_last_error_clean();
    printf("    REJECTED: %s\n", last_error_text());
    erpauth_weaver_client_free(client);
}

static void test_weaver_refusals(void)
{
    printf("  Weaver refusals\n");
    /* 应用标识appid==>>disabled-appid已被禁用,请联系管理员!!! */
    check_weaver_refusal("disabled-appid", WV_AES_KEY, NULL, NULL,
                         "\xe5\xba\x94\xe7\x94\xa8\xe6\xa0\x87\xe8\xaf\x86"
                         "appid==>>disabled-appid\xe5\xb7\xb2\xe8\xa2\xab\xe7\xa6\x81\xe7\x94\xa8");
    /* 签名解密异常,请确认!!! */
    check_weaver_refusal(WV_APPID, WRONG_AES_KEY, NULL, NULL,
                         "\xe7\xad\xbe\xe5\x90\x8d\xe8\xa7\xa3\xe5\xaf\x86\xe5\xbc\x82\xe5\xb8\xb8");
    /* userId解析异常,请确认!!! */
    check_weaver_refusal(WV_APPID, WV_AES_KEY, "loginid", "nobody",
                         "userId\xe8\xa7\xa3\xe6\x9e\x90\xe5\xbc\x82\xe5\xb8\xb8");
    /* userType:id123 无效,请确认!!! */
    check_weaver_refusal(WV_APPID, WV_AES_KEY, "id123", "9", "userType:id123 \xe6\x97\xa0\xe6\x95\x88");
}

/* ------------------------------------------------------------------------ */
/* NULL and non-UTF-8 for every string argument of the client functions      */
/* ------------------------------------------------------------------------ */

/* Called with the status of a call already made (the output is read after it). */
static void check_invalid_output(erpauth_status status, const char *out, size_t len,
                                 const char *must_name)
{
    CHECK_STATUS(status, ERPAUTH_INVALID_ARGUMENT);
    CHECK(len == 0 && out[0] == '\0');
    CHECK_CONTAINS(last_error_text(), must_name);
    check_last_error_clean();
}

static void test_client_string_arguments(void)
{
    static const char *const bad[] = {NULL, "\xff", "GE\xc3", "\xed\xa0\x80"};
    char json[1024], out[512];
    size_t len, k;
    erpauth_status status;
    erpauth_kingdee_client *kd = NULL;
    erpauth_weaver_client *wv = NULL;
    printf("  NULL and non-UTF-8 string arguments of the client functions\n");
    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "{}") == 0);
    kingdee_config(json, sizeof json, emu.base_url, KD_CLIENT_SECRET, KD_APP_SECRET, NULL);
    CHECK_STATUS(erpauth_kingdee_client_new(json, &kd), ERPAUTH_OK);
    weaver_config(json, sizeof json, emu.base_url, WV_APPID, WV_AES_KEY);
    CHECK_STATUS(erpauth_weaver_client_new(json, &wv), ERPAUTH_OK);
    if (kd == NULL || wv == NULL) {
        erpauth_kingdee_client_free(kd);
        erpauth_weaver_client_free(wv);
        return;
    }
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        erpauth_kingdee_client *no_kd = (erpauth_kingdee_client *)&emu;
        erpauth_weaver_client *no_wv = (erpauth_weaver_client *)&emu;
        CHECK_STATUS(erpauth_kingdee_client_new(bad[k], &no_kd), ERPAUTH_INVALID_ARGUMENT);
        CHECK(no_kd == NULL);
        CHECK_CONTAINS(last_error_text(), "config_json");
        CHECK_STATUS(erpauth_weaver_client_new(bad[k], &no_wv), ERPAUTH_INVALID_ARGUMENT);
        CHECK(no_wv == NULL);
        CHECK_CONTAINS(last_error_text(), "config_json");

        len = 999;
        memset(out, CANARY, sizeof out);
        status = erpauth_kingdee_client_headers(kd, bad[k], "/jdy/v2/bd/customer", out,
                                                sizeof out, &len);
        check_invalid_output(status, out, len, "method");
        len = 999;
        memset(out, CANARY, sizeof out);
        status = erpauth_kingdee_client_headers(kd, "GET", bad[k], out, sizeof out, &len);
        check_invalid_output(status, out, len, "path_and_query");
        if (bad[k] != NULL) { /* NULL is the plain token, not an error */
            len = 999;
            memset(out, CANARY, sizeof out);
            status = erpauth_weaver_client_token(wv, bad[k], "zhangs", out, sizeof out, &len);
            check_invalid_output(status, out, len, "user_type");
            len = 999;
            memset(out, CANARY, sizeof out);
            status = erpauth_weaver_client_userid(wv, "loginid", bad[k], out, sizeof out, &len);
            check_invalid_output(status, out, len, "user_contain");
        }
    }
    /* Malformed escapes in the business-call target. */
    len = 999;
    status = erpauth_kingdee_client_headers(kd, "GET", "/jdy/v2/bd/customer?q=%E4%B8", out,
                                            sizeof out, &len);
    check_invalid_output(status, out, len, "UTF-8");
    len = 999;
    status = erpauth_kingdee_client_headers(kd, "GET", "/jdy/v2/bd/customer?q=%zz", out,
                                            sizeof out, &len);
    check_invalid_output(status, out, len, "escape");
    /* None of these reached the network. */
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 0);
    CHECK(emulator_stat(&emu, "weaver_get_token") == 0);
    erpauth_kingdee_client_free(kd);
    erpauth_weaver_client_free(wv);
}

/* ------------------------------------------------------------------------ */
/* Nothing listening                                                         */
/* ------------------------------------------------------------------------ */

static void test_nothing_listening(void)
{
    char json[1024], url[64], out[256];
    size_t len = 999;
    erpauth_kingdee_client *kd = NULL;
    erpauth_weaver_client *wv = NULL;
    int port = unused_port();
    printf("  nothing listening on port %d\n", port);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);

    kingdee_config(json, sizeof json, url, KD_CLIENT_SECRET, KD_APP_SECRET, NULL);
    if (CHECK_STATUS(erpauth_kingdee_client_new(json, &kd), ERPAUTH_OK)) {
        memset(out, CANARY, sizeof out);
        CHECK_STATUS(erpauth_kingdee_client_app_token(kd, out, sizeof out, &len), ERPAUTH_NETWORK);
        CHECK(len == 0 && out[0] == '\0');
        check_last_error_clean();
        printf("    NETWORK: %s\n", last_error_text());
        CHECK_STATUS(erpauth_kingdee_client_headers(kd, "GET", "/jdy/v2/bd/customer", out,
                                                    sizeof out, &len),
                     ERPAUTH_NETWORK);
        erpauth_kingdee_client_free(kd);
    }
    weaver_config(json, sizeof json, url, WV_APPID, WV_AES_KEY);
    if (CHECK_STATUS(erpauth_weaver_client_new(json, &wv), ERPAUTH_OK)) {
        CHECK_STATUS(erpauth_weaver_client_token(wv, "id", "1", out, sizeof out, &len),
                     ERPAUTH_NETWORK);
        CHECK(len == 0 && out[0] == '\0');
        check_last_error_clean();
        CHECK_STATUS(erpauth_weaver_client_userid(wv, "id", "1", out, sizeof out, &len),
                     ERPAUTH_NETWORK);
        erpauth_weaver_client_free(wv);
    }
}

int main(void)
{
    int status;
    printf("test_client (erpauth %s)\n", erpauth_version());
    if (emulator_start(&emu, NULL) != 0) {
        CHECK(!"the emulator started");
        return check_report("test_client");
    }
    printf("  emulator at %s\n", emu.base_url);
    test_configs();
    test_kingdee_token_and_headers();
    test_kingdee_single_flight();
    test_kingdee_refusals();
    test_weaver_tokens();
    test_weaver_refusals();
    test_client_string_arguments();
    test_nothing_listening();
    status = emulator_stop(&emu);
    CHECK(emulator_stopped_cleanly(status));
    return check_report("test_client");
}
