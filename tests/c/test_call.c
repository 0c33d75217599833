/*
 * The business call and the authorization lifecycle of the C ABI against
 * the local emulator: erpauth_kingdee_client_call and
 * erpauth_weaver_client_call with the response handle (size query without a
 * second request), a token that expires mid-run, an app_secret that rotates
 * mid-run (pulled again with outer_instance_id, or set with
 * erpauth_kingdee_client_set_app_secret), the authorization as JSON without
 * the secret, a garbage authorization answer, and no retry after a timeout
 * that came after the request was sent. Messages never contain a secret.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "emulator.h"

#define KD_SECRETS "\"client_id\":\"emu-client-id\",\"client_secret\":\"emu-client-secret\""
#define ECHO "/jdy/v2/erpauth/echo"
#define TODO "/api/workflow/paService/getToDoWorkflowRequestList"

static emulator_process emu;

static erpauth_kingdee_client *kingdee_timeout(int timeout_ms, const char *extra)
{
    char json[1024];
    erpauth_kingdee_client *client = NULL;
    snprintf(json, sizeof json, "{" KD_SECRETS ",\"base_url\":\"%s\",\"timeout_ms\":%d%s}",
             emu.base_url, timeout_ms, extra);
    if (!CHECK_STATUS(erpauth_kingdee_client_new(json, &client), ERPAUTH_OK)) {
        printf("    last error: %s\n", last_error_text());
    }
    return client;
}

static erpauth_kingdee_client *kingdee(const char *extra)
{
    return kingdee_timeout(3000, extra);
}

/* The whole body of a response: size query, then a buffer of that size. */
static char *body_of(const erpauth_response *response, size_t *len_out)
{
    size_t len = 0, len2 = 0;
    char *body;
    CHECK_STATUS(erpauth_response_body(response, NULL, 0, &len), ERPAUTH_BUFFER_TOO_SMALL);
    body = malloc(len + 1);
    if (body == NULL) {
        abort();
    }
    CHECK_STATUS(erpauth_response_body(response, body, len + 1, &len2), ERPAUTH_OK);
    CHECK(len2 == len && body[len] == '\0');
    if (len_out != NULL) {
        *len_out = len;
    }
    return body;
}

/* One Kingdee call that must succeed with HTTP 200; returns the body. */
static char *kingdee_ok(erpauth_kingdee_client *client, const char *method, const char *target,
                        const char *body)
{
    erpauth_response *response = NULL;
    char *text;
    if (!CHECK_STATUS(erpauth_kingdee_client_call(client, method, target, body, NULL, &response),
                      ERPAUTH_OK)) {
        printf("    last error: %s\n", last_error_text());
        return NULL;
    }
    CHECK(erpauth_response_status(response) == 200);
    text = body_of(response, NULL);
    erpauth_response_free(response);
    return text;
}

static void test_kingdee_call(void)
{
    erpauth_kingdee_client *client = kingdee(",\"app_key\":\"emuAppKey\",\"app_secret\":\"emu-app-secret\","
                                             "\"domain\":\"https://emu.jdy.com\"");
    erpauth_response *response = NULL;
    char *body;

    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "") == 0);
    body = kingdee_ok(client, "POST", ECHO "?a=1", "{\"name\":\"客户\"}");
    if (body != NULL) {
        CHECK_CONTAINS(body, "\"body\":\"{\\\"name\\\":\\\"客户\\\"}\"");
        CHECK_CONTAINS(body, "\"router_addr\":\"https://emu.jdy.com\"");
        CHECK_CONTAINS(body, "\"query\":[[\"a\",\"1\"]]");
        free(body);
    }
    /* One request, however many times the body was asked for. */
    CHECK(emulator_stat(&emu, "kingdee_business") == 1);
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 1);

    /* A refusal of the gateway is an answer: status and body as they came. */
    CHECK_STATUS(erpauth_kingdee_client_call(client, "GET", "/jdy/v2/no/such", NULL, NULL, &response),
                 ERPAUTH_OK);
    CHECK(erpauth_response_status(response) == 519);
    body = body_of(response, NULL);
    CHECK_CONTAINS(body, "\"code\":5001");
    free(body);
    erpauth_response_free(response);

    /* The token expires mid-run: one retry, invisible to the caller. */
    CHECK(emulator_post(&emu, "/__emulator/expire_tokens", "") == 0);
    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "") == 0);
    free(kingdee_ok(client, "GET", ECHO, NULL));
    CHECK(emulator_stat(&emu, "kingdee_business") == 2);
    CHECK(emulator_stat(&emu, "kingdee_auth_token") == 1);

    /* Bad arguments: nothing sent, *out_response NULL. */
    response = (erpauth_response *)&emu;
    CHECK_STATUS(erpauth_kingdee_client_call(client, "TRACE", ECHO, NULL, NULL, &response),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(response == NULL);
    CHECK_CONTAINS(last_error_text(), "method");
    CHECK_STATUS(erpauth_kingdee_client_call(client, "GET", ECHO, NULL, NULL, NULL),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK_STATUS(erpauth_kingdee_client_call(NULL, "GET", ECHO, NULL, NULL, &response),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(emulator_stat(&emu, "kingdee_business") == 2);
    CHECK(erpauth_response_status(NULL) == -1);
    erpauth_response_free(NULL);
    erpauth_kingdee_client_free(client);
}

static void test_timeout_after_sending(void)
{
    erpauth_kingdee_client *client =
        kingdee_timeout(300, ",\"app_key\":\"emuAppKey\",\"app_secret\":\"emu-app-secret\","
                             "\"domain\":\"https://emu.jdy.com\"");
    erpauth_response *response = (erpauth_response *)&emu;
    char token[256];
    size_t len;

    CHECK_STATUS(erpauth_kingdee_client_app_token(client, token, sizeof token, &len), ERPAUTH_OK);
    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "") == 0);
    CHECK(emulator_post(&emu, "/__emulator/config",
                        "{\"fault\":{\"endpoint\":\"kingdee_business\",\"kind\":\"delay\","
                        "\"delay_ms\":1500,\"count\":1}}") == 0);
    CHECK_STATUS(erpauth_kingdee_client_call(client, "POST", ECHO, "{\"order\":1}", NULL, &response),
                 ERPAUTH_NETWORK);
    CHECK(response == NULL);
    CHECK_CONTAINS(last_error_text(), "may have reached the server");
    CHECK(emulator_stat(&emu, "kingdee_business") == 1);
    erpauth_kingdee_client_free(client);
}

static void test_rotation_with_outer_instance_id(void)
{
    erpauth_kingdee_client *client = kingdee(",\"outer_instance_id\":\"emu-instance-1\"");
    char json[1024];
    size_t len = 0;
    http_response rotated;

    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "") == 0);
    /* First contact: the authorization is pulled, then the token fetched. */
    free(kingdee_ok(client, "GET", ECHO, NULL));
    CHECK(emulator_stat(&emu, "kingdee_push_app_authorize") == 1);
    CHECK_STATUS(erpauth_kingdee_client_authorization(client, json, sizeof json, &len), ERPAUTH_OK);
    CHECK_CONTAINS(json, "\"app_key\":\"emuAppKey\"");
    CHECK_CONTAINS(json, "\"domain\":\"https://emu.jdy.com\"");
    CHECK_CONTAINS(json, "\"source\":\"push_app_authorize\"");
    CHECK_NOT_CONTAINS(json, "emu-app-secret");

    /* Kingdee rotates the secret and the token expires: the call still
     * succeeds, after one more pull. */
    CHECK(http_request(emu.port, "POST", "/__emulator/kingdee/rotate_app_secret", NULL, "",
                       &rotated) == 0 &&
          rotated.status == 200);
    CHECK(emulator_post(&emu, "/__emulator/expire_tokens", "") == 0);
    free(kingdee_ok(client, "GET", ECHO, NULL));
    CHECK(emulator_stat(&emu, "kingdee_push_app_authorize") == 2);
    CHECK_STATUS(erpauth_kingdee_client_authorization(client, json, sizeof json, &len), ERPAUTH_OK);
    CHECK_NOT_CONTAINS(json, "emu-app-secret");

    /* A token that would add a header is refused; nothing is sent with it. */
    erpauth_kingdee_client_free(client);
    client = kingdee(",\"outer_instance_id\":\"emu-instance-1\"");
    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "") == 0);
    CHECK(emulator_post(&emu, "/__emulator/config",
                        "{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":"
                        "\"hostile_token\",\"count\":1}}") == 0);
    {
        erpauth_response *response = (erpauth_response *)&emu;
        CHECK_STATUS(erpauth_kingdee_client_call(client, "GET", ECHO, NULL, NULL, &response),
                     ERPAUTH_BAD_RESPONSE);
        CHECK(response == NULL);
        CHECK_NOT_CONTAINS(last_error_text(), "X-Evil");
        CHECK(emulator_stat(&emu, "kingdee_business") == 0);
    }
    free(kingdee_ok(client, "GET", ECHO, NULL));

    /* A garbage authorization answer is refused and not kept. */
    erpauth_kingdee_client_free(client);
    client = kingdee(",\"outer_instance_id\":\"emu-instance-1\"");
    CHECK(emulator_post(&emu, "/__emulator/config",
                        "{\"fault\":{\"endpoint\":\"kingdee_push_app_authorize\",\"kind\":"
                        "\"garbage\",\"count\":1}}") == 0);
    CHECK_STATUS(erpauth_kingdee_client_authorization(client, json, sizeof json, &len),
                 ERPAUTH_BAD_RESPONSE);
    CHECK(len == 0 && json[0] == '\0');
    CHECK_CONTAINS(last_error_text(), "push_app_authorize");
    CHECK_STATUS(erpauth_kingdee_client_authorization(client, json, sizeof json, &len), ERPAUTH_OK);
    erpauth_kingdee_client_free(client);
}

static void test_set_app_secret(void)
{
    erpauth_kingdee_client *client;
    char secret[128];
    const char *at;
    http_response rotated;
    erpauth_response *response = NULL;
    size_t i = 0;

    /* The secret the emulator holds now (earlier tests rotated it). */
    CHECK(http_request(emu.port, "POST", "/__emulator/kingdee/rotate_app_secret", NULL, "",
                       &rotated) == 0 &&
          rotated.status == 200);
    at = strstr(rotated.body, "\"app_secret\":\"");
    if (!CHECK(at != NULL)) {
        return;
    }
    at += strlen("\"app_secret\":\"");
    while (at[i] != '"' && at[i] != '\0' && i + 1 < sizeof secret) {
        secret[i] = at[i];
        i++;
    }
    secret[i] = '\0';

    client = kingdee(",\"app_key\":\"emuAppKey\",\"app_secret\":\"emu-app-secret\","
                     "\"domain\":\"https://emu.jdy.com\"");
    /* The configured secret is stale and the client cannot pull. */
    CHECK_STATUS(erpauth_kingdee_client_call(client, "GET", ECHO, NULL, NULL, &response),
                 ERPAUTH_REJECTED);
    CHECK(response == NULL);
    CHECK_CONTAINS(last_error_text(), "1030002006");
    CHECK_NOT_CONTAINS(last_error_text(), "emu-app-secret");
    /* The host received the new one: set it on the live client. */
    CHECK_STATUS(erpauth_kingdee_client_set_app_secret(client, secret), ERPAUTH_OK);
    free(kingdee_ok(client, "GET", ECHO, NULL));
    CHECK_STATUS(erpauth_kingdee_client_set_app_secret(client, ""), ERPAUTH_INVALID_ARGUMENT);
    CHECK_STATUS(erpauth_kingdee_client_set_app_secret(client, NULL), ERPAUTH_INVALID_ARGUMENT);
    CHECK_STATUS(erpauth_kingdee_client_set_app_secret(NULL, secret), ERPAUTH_INVALID_ARGUMENT);
    CHECK_NOT_CONTAINS(last_error_text(), secret);
    erpauth_kingdee_client_free(client);
}

static void test_weaver_call(void)
{
    char json[512];
    erpauth_weaver_client *client = NULL;
    erpauth_response *response = NULL;
    char *body;

    snprintf(json, sizeof json,
             "{\"base_url\":\"%s\",\"appid\":\"emu-appid\",\"secret\":\"emu-secret\","
             "\"aes_key\":\"emu-aes-key-0016\",\"timeout_ms\":3000}",
             emu.base_url);
    CHECK_STATUS(erpauth_weaver_client_new(json, &client), ERPAUTH_OK);
    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "") == 0);
    CHECK_STATUS(erpauth_weaver_client_call(client, "GET", TODO "?pageSize=5", NULL, NULL,
                                            "loginid", "zhangs", &response),
                 ERPAUTH_OK);
    CHECK(erpauth_response_status(response) == 200);
    body = body_of(response, NULL);
    CHECK_CONTAINS(body, "\"user\":\"9\"");
    CHECK_CONTAINS(body, "\"query\":\"pageSize=5\"");
    free(body);
    erpauth_response_free(response);

    /* The token times out mid-run: 登录信息超时, one retry, success. */
    CHECK(emulator_post(&emu, "/__emulator/expire_tokens", "") == 0);
    CHECK_STATUS(erpauth_weaver_client_call(client, "GET", TODO, NULL, NULL, "loginid", "zhangs",
                                            &response),
                 ERPAUTH_OK);
    body = body_of(response, NULL);
    CHECK_CONTAINS(body, "\"status\":true");
    free(body);
    erpauth_response_free(response);
    CHECK(emulator_stat(&emu, "weaver_business") == 3);
    CHECK(emulator_stat(&emu, "weaver_get_token") == 2);

    CHECK_STATUS(erpauth_weaver_client_call(client, "GET", TODO, NULL, NULL, "loginid", NULL,
                                            &response),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(response == NULL);
    erpauth_weaver_client_free(client);
}

int main(void)
{
    int status;
    printf("test_call (erpauth %s)\n", erpauth_version());
    if (emulator_start(&emu, NULL) != 0) {
        CHECK(!"the emulator started");
        return check_report("test_call");
    }
    test_kingdee_call();
    test_timeout_after_sending();
    test_rotation_with_outer_instance_id();
    test_set_app_secret();
    test_weaver_call();
    status = emulator_stop(&emu);
    CHECK(emulator_stopped_cleanly(status));
    return check_report("test_call");
}
