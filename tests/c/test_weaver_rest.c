/*
 * The Weaver e9 standard REST authentication through the C ABI against the
 * local emulator: first contact (register into a state file, token, business
 * call with appid/token/userid), processes sharing one state file (only one
 * registers), token expiry mid-run (the call retries once), a wrong secrit,
 * hostile answers (bad spk, no secrit, a token with CR LF) and bad
 * arguments. Messages never contain the secrit handed in.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "emulator.h"

#define APPID "emu-rest-appid"
#define WRONG_SECRIT "wrong-secrit-Hq20"

static emulator_process emu;
static char dir[256];

static void rest_config(char *json, size_t cap, const char *state_file)
{
    snprintf(json, cap,
             "{\"base_url\":\"%s\",\"appid\":\"" APPID "\",\"state_file\":\"%s\",\"timeout_ms\":5000}",
             emu.base_url, state_file);
}

static erpauth_weaver_rest_client *new_client(const char *state_file)
{
    char json[1024];
    erpauth_weaver_rest_client *client = NULL;
    rest_config(json, sizeof json, state_file);
    if (!CHECK_STATUS(erpauth_weaver_rest_client_new(json, &client), ERPAUTH_OK)) {
        return NULL;
    }
    return client;
}

/* The string value of "key" in a flat JSON object, copied into out. */
static int json_string(const char *json, const char *key, char *out, size_t cap)
{
    char pattern[64];
    const char *at, *end;
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    at = strstr(json, pattern);
    if (at == NULL) {
        return -1;
    }
    at += strlen(pattern);
    end = strchr(at, '"');
    if (end == NULL || (size_t)(end - at) + 1 > cap) {
        return -1;
    }
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = '\0';
    return 0;
}

static void path_in_dir(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* Several processes start on one state file while regist is slow: exactly
 * one registers and all of them end with the same secrit. */
static void test_processes_share_one_state_file(void)
{
    enum { CHILDREN = 3 };
    char state_file[512], secrits[CHILDREN][128];
    pid_t pids[CHILDREN];
    int pipes[CHILDREN][2];
    int i;

    path_in_dir(state_file, sizeof state_file, "shared.json");
    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "") == 0);
    CHECK(emulator_post(&emu, "/__emulator/config",
                        "{\"fault\":{\"endpoint\":\"weaver_regist\",\"kind\":\"delay\","
                        "\"delay_ms\":400}}") == 0);
    for (i = 0; i < CHILDREN; i++) {
        if (pipe(pipes[i]) != 0) {
            CHECK(!"pipe");
            return;
        }
        pids[i] = fork();
        if (pids[i] == 0) {
            char state[4096], secrit[128] = "";
            size_t len = 0;
            erpauth_weaver_rest_client *client = NULL;
            char json[1024];
            int ok;
            close(pipes[i][0]);
            rest_config(json, sizeof json, state_file);
            ok = erpauth_weaver_rest_client_new(json, &client) == ERPAUTH_OK &&
                 erpauth_weaver_rest_client_register(client, state, sizeof state, &len) ==
                     ERPAUTH_OK &&
                 json_string(state, "secrit", secrit, sizeof secrit) == 0;
            erpauth_weaver_rest_client_free(client);
            if (write(pipes[i][1], secrit, strlen(secrit) + 1) < 0) {
                ok = 0;
            }
            close(pipes[i][1]);
            _exit(ok ? 0 : 1);
        }
        close(pipes[i][1]);
    }
    for (i = 0; i < CHILDREN; i++) {
        int status = -1;
        ssize_t got = read(pipes[i][0], secrits[i], sizeof secrits[i] - 1);
        secrits[i][got > 0 ? got : 0] = '\0';
        close(pipes[i][0]);
        CHECK(waitpid(pids[i], &status, 0) == pids[i]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK(secrits[i][0] != '\0');
        CHECK_STR(secrits[i], secrits[0]);
    }
    CHECK(emulator_stat(&emu, "weaver_regist") == 1);
    CHECK(emulator_post(&emu, "/__emulator/config", "{\"fault\":{\"kind\":\"none\"}}") == 0);
}

static void test_first_contact_and_business_call(void)
{
    char state_file[512], state[4096], token[256], token2[256], userid[512], headers[2048];
    char want[2048];
    size_t needed = 0, len = 0;
    struct stat st;
    erpauth_weaver_rest_client *client;
    erpauth_response *response = NULL;

    path_in_dir(state_file, sizeof state_file, "first.json");
    CHECK(emulator_post(&emu, "/__emulator/reset_stats", "") == 0);
    client = new_client(state_file);
    if (client == NULL) {
        return;
    }
    /* Size query, then the state: one registration for both. */
    CHECK_STATUS(erpauth_weaver_rest_client_register(client, NULL, 0, &needed),
                 ERPAUTH_BUFFER_TOO_SMALL);
    CHECK(needed > 100);
    CHECK_STATUS(erpauth_weaver_rest_client_register(client, state, sizeof state, &len), ERPAUTH_OK);
    CHECK(len == needed);
    CHECK_CONTAINS(state, "\"appid\":\"" APPID "\"");
    CHECK_CONTAINS(state, "\"spk\":\"MIIBIjAN");
    CHECK_NOT_CONTAINS(state, "client_private_key");
    CHECK(emulator_stat(&emu, "weaver_regist") == 1);
    CHECK(stat(state_file, &st) == 0 && (st.st_mode & 0777) == 0600);

    CHECK_STATUS(erpauth_weaver_rest_client_token(client, token, sizeof token, &len), ERPAUTH_OK);
    CHECK(len == 36);
    CHECK_STATUS(erpauth_weaver_rest_client_token(client, token2, sizeof token2, &len), ERPAUTH_OK);
    CHECK_STR(token2, token);
    CHECK(emulator_stat(&emu, "weaver_apply_token") == 1);

    CHECK_STATUS(erpauth_weaver_rest_client_userid(client, "1", userid, sizeof userid, &len),
                 ERPAUTH_OK);
    CHECK(len == 344); /* Base64 of one 2048-bit block */
    CHECK_STATUS(erpauth_weaver_rest_client_headers(client, "1", headers, sizeof headers, &len),
                 ERPAUTH_OK);
    snprintf(want, sizeof want, "appid: " APPID "\r\ntoken: %s\r\nuserid: %s\r\n", token, userid);
    CHECK_STR(headers, want);

    /* A business call by hand with those headers, then through the library. */
    {
        http_response r;
        CHECK(http_request(emu.port, "GET", "/api/emulator/rest/echo", headers, NULL, &r) == 0);
        CHECK(r.status == 200);
        CHECK_CONTAINS(r.body, "\"userid\":\"1\"");
    }
    if (CHECK_STATUS(erpauth_weaver_rest_client_call(client, "POST", "/api/emulator/rest/echo?a=1",
                                                     "{\"k\":\"v\"}", NULL, "9", &response),
                     ERPAUTH_OK)) {
        char body[4096];
        CHECK(erpauth_response_status(response) == 200);
        CHECK_STATUS(erpauth_response_body(response, body, sizeof body, &len), ERPAUTH_OK);
        CHECK_CONTAINS(body, "\"userid\":\"9\"");
        CHECK_CONTAINS(body, "\"target\":\"/api/emulator/rest/echo?a=1\"");
        erpauth_response_free(response);
    }

    /* Token expiry mid-run: the call retries once with a new token. */
    CHECK(emulator_post(&emu, "/__emulator/expire_tokens", "") == 0);
    response = NULL;
    if (CHECK_STATUS(erpauth_weaver_rest_client_call(client, "GET", "/api/emulator/rest/echo", NULL,
                                                     NULL, NULL, &response),
                     ERPAUTH_OK)) {
        char body[4096];
        CHECK_STATUS(erpauth_response_body(response, body, sizeof body, &len), ERPAUTH_OK);
        CHECK_CONTAINS(body, "\"status\":true");
        erpauth_response_free(response);
    }
    CHECK(emulator_stat(&emu, "weaver_apply_token") == 2);
    CHECK_STATUS(erpauth_weaver_rest_client_token(client, token2, sizeof token2, &len), ERPAUTH_OK);
    CHECK(strcmp(token, token2) != 0);

    /* invalidate drops the token, not the registration. */
    erpauth_weaver_rest_client_invalidate(client);
    CHECK_STATUS(erpauth_weaver_rest_client_token(client, token, sizeof token, &len), ERPAUTH_OK);
    CHECK(emulator_stat(&emu, "weaver_apply_token") == 3);
    CHECK(emulator_stat(&emu, "weaver_regist") == 1);

    /* Bad arguments. */
    CHECK_STATUS(erpauth_weaver_rest_client_userid(client, NULL, userid, sizeof userid, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(len == 0 && userid[0] == '\0');
    CHECK_STATUS(erpauth_weaver_rest_client_token(NULL, token, sizeof token, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK_STATUS(erpauth_weaver_rest_client_token(client, token, sizeof token, NULL),
                 ERPAUTH_INVALID_ARGUMENT);
    response = (erpauth_response *)&emu;
    CHECK_STATUS(erpauth_weaver_rest_client_call(client, "TRACE", "/x", NULL, NULL, NULL, &response),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(response == NULL);
    erpauth_weaver_rest_client_free(client);
    erpauth_weaver_rest_client_free(NULL);
    erpauth_weaver_rest_client_invalidate(NULL);
}

static void test_wrong_secrit(void)
{
    char state_file[512], state[4096], spk[512], json[2048], token[256];
    size_t len = 0;
    erpauth_weaver_rest_client *client, *wrong = NULL;

    path_in_dir(state_file, sizeof state_file, "first.json");
    client = new_client(state_file);
    if (client == NULL) {
        return;
    }
    CHECK_STATUS(erpauth_weaver_rest_client_register(client, state, sizeof state, &len), ERPAUTH_OK);
    CHECK(json_string(state, "spk", spk, sizeof spk) == 0);
    erpauth_weaver_rest_client_free(client);
    snprintf(json, sizeof json,
             "{\"base_url\":\"%s\",\"appid\":\"" APPID "\",\"spk\":\"%s\",\"secrit\":\"" WRONG_SECRIT
             "\"}",
             emu.base_url, spk);
    if (!CHECK_STATUS(erpauth_weaver_rest_client_new(json, &wrong), ERPAUTH_OK)) {
        return;
    }
    CHECK_STATUS(erpauth_weaver_rest_client_token(wrong, token, sizeof token, &len), ERPAUTH_REJECTED);
    CHECK_CONTAINS(last_error_text(), "e9 refused applytoken: 认证信息错误");
    CHECK_NOT_CONTAINS(last_error_text(), WRONG_SECRIT);
    erpauth_weaver_rest_client_free(wrong);

    /* A bad spk in the config is refused when the client is made. */
    snprintf(json, sizeof json,
             "{\"base_url\":\"%s\",\"appid\":\"" APPID "\",\"spk\":\"AAAA\",\"secrit\":\"" WRONG_SECRIT
             "\"}",
             emu.base_url);
    wrong = (erpauth_weaver_rest_client *)&emu;
    CHECK_STATUS(erpauth_weaver_rest_client_new(json, &wrong), ERPAUTH_INVALID_ARGUMENT);
    CHECK(wrong == NULL);
    CHECK_CONTAINS(last_error_text(), "\"spk\"");
    CHECK_NOT_CONTAINS(last_error_text(), WRONG_SECRIT);
}

static void check_hostile(const char *hostile, const char *file, int want, int on_token)
{
    char patch[256], state_file[512], out[4096];
    size_t len = 0;
    struct stat st;
    erpauth_weaver_rest_client *client;

    snprintf(patch, sizeof patch, "{\"weaver_rest\":{\"hostile\":\"%s\"}}", hostile);
    CHECK(emulator_post(&emu, "/__emulator/config", patch) == 0);
    path_in_dir(state_file, sizeof state_file, file);
    client = new_client(state_file);
    if (client == NULL) {
        return;
    }
    if (on_token) {
        CHECK_STATUS(erpauth_weaver_rest_client_token(client, out, sizeof out, &len), want);
    } else {
        CHECK_STATUS(erpauth_weaver_rest_client_register(client, out, sizeof out, &len), want);
        CHECK(stat(state_file, &st) != 0); /* nothing kept from a bad answer */
    }
    CHECK(len == 0 && out[0] == '\0');
    CHECK_NOT_CONTAINS(last_error_text(), "\n");
    erpauth_weaver_rest_client_free(client);
}

static void test_hostile_answers(void)
{
    check_hostile("bad_spk", "bad-spk.json", ERPAUTH_BAD_RESPONSE, 0);
    CHECK_CONTAINS(last_error_text(), "spk");
    check_hostile("no_secrit", "no-secrit.json", ERPAUTH_BAD_RESPONSE, 0);
    CHECK_CONTAINS(last_error_text(), "\"secrit\"");
    check_hostile("token_control_chars", "crlf.json", ERPAUTH_BAD_RESPONSE, 1);
    CHECK_CONTAINS(last_error_text(), "not a plain header value");
    CHECK(emulator_post(&emu, "/__emulator/config", "{\"weaver_rest\":{\"hostile\":\"none\"}}") == 0);
}

static void remove_dir(void)
{
    const char *names[] = {"shared.json", "shared.json.lock", "first.json", "first.json.lock",
                           "crlf.json",   "crlf.json.lock",   "bad-spk.json.lock",
                           "no-secrit.json.lock"};
    char path[512];
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_in_dir(path, sizeof path, names[i]);
        unlink(path);
    }
    CHECK(rmdir(dir) == 0);
}

int main(void)
{
    int status;
    const char *tmp = getenv("TMPDIR");
    printf("test_weaver_rest (erpauth %s)\n", erpauth_version());
    snprintf(dir, sizeof dir, "%s/erpauth-c-rest-%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    if (mkdir(dir, 0700) != 0) {
        CHECK(!"the temporary directory was made");
        return check_report("test_weaver_rest");
    }
    if (emulator_start(&emu, NULL) != 0) {
        CHECK(!"the emulator started");
        return check_report("test_weaver_rest");
    }
    printf("  emulator at %s\n", emu.base_url);
    /* First, before this process has any client: the children are forked. */
    test_processes_share_one_state_file();
    test_first_contact_and_business_call();
    test_wrong_secrit();
    test_hostile_answers();
    remove_dir();
    status = emulator_stop(&emu);
    CHECK(emulator_stopped_cleanly(status));
    return check_report("test_weaver_rest");
}
