/*
 * erpauth from C, in two parts.
 *
 * 1. The public vectors of both vendors (tests/vectors), computed through
 *    the C ABI and printed next to the expected value with OK or MISMATCH.
 * 2. With an emulator URL as argument (examples/c/run-demo.sh starts one):
 *    a Kingdee app-token and a Weaver token with its userid from the token
 *    clients, the signed headers of one business call
 *    (GET /jdy/v2/bd/customer), and that call made over a plain socket.
 *
 *    cc -std=c99 -Iinclude examples/c/demo.c -Ltarget/release -lerpauth -o demo
 *    ./demo [http://127.0.0.1:PORT]
 *
 * Exits non-zero on a mismatch or a failed call.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "erpauth.h"

static int failures;

/* Prints why the last erpauth call on this thread failed. */
static void print_error(const char *what, erpauth_status status)
{
    char message[1024];
    size_t len;
    if (erpauth_last_error(message, sizeof message, &len) != ERPAUTH_OK) {
        strcpy(message, "(message too long)");
    }
    printf("  %s failed (status %d): %s\n", what, (int)status, message);
    failures++;
}

static void compare(const char *what, erpauth_status status, const char *got, const char *expected)
{
    if (status != ERPAUTH_OK) {
        print_error(what, status);
        return;
    }
    printf("  %-22s %s\n  %-22s %s  %s\n", what, got, "expected", expected,
           strcmp(got, expected) == 0 ? "OK" : "MISMATCH");
    if (strcmp(got, expected) != 0) {
        failures++;
    }
}

static void public_vectors(void)
{
    char out[512];
    size_t len;
    erpauth_status status;
    const char *target =
        "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1&app_signature="
        "MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D";

    printf("Kingdee app_signature (app_key abc, app_secret abc123)\n");
    status = erpauth_kingdee_app_signature("abc", "abc123", out, sizeof out, &len);
    compare("app_signature", status, out,
            "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==");

    printf("\nKingdee X-Api-Signature (GET %s, nonce 4427456950, timestamp 1670305063559)\n",
           target);
    status = erpauth_kingdee_string_to_sign("GET", target, "4427456950", "1670305063559", out,
                                            sizeof out, &len);
    if (status == ERPAUTH_OK) {
        const char *expected =
            "GET\n%2Fjdyconnector%2Fapp_management%2Fkingdee_auth_token\n"
            "app_key=bVZgAZOv1&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2Nj"
            "Mzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%253D%253D\n"
            "x-api-nonce:4427456950\nx-api-timestamp:1670305063559\n";
        printf("  string to sign (each line ends in \\n):\n");
        {
            const char *line = out;
            while (*line) {
                const char *end = strchr(line, '\n');
                int n = end ? (int)(end - line) : (int)strlen(line);
                printf("    | %.*s\n", n, line);
                line += n + (end ? 1 : 0);
            }
        }
        printf("  string to sign         %s\n", strcmp(out, expected) == 0 ? "OK" : "MISMATCH");
        if (strcmp(out, expected) != 0) {
            failures++;
        }
    } else {
        print_error("string to sign", status);
    }
    status = erpauth_kingdee_signature("f2adcfef73369bfc4e1384677d38a0ff", "GET", target,
                                       "4427456950", "1670305063559", out, sizeof out, &len);
    compare("X-Api-Signature", status, out,
            "OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ==");

    printf("\nWeaver e9 getToken sign (appid weaverappid, secret weaversecret, "
           "aes_key 8fy6K39X6PIEEeOq, time 1700000000000)\n");
    status = erpauth_weaver_sign("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq",
                                 1700000000000LL, out, sizeof out, &len);
    compare("sign", status, out,
            "2da1e861f36ba4aa1babbadbdc1e275a9efc8b34155b2bd4e147370de8d80954b04dbe29a019802759029ab5"
            "1c8bc6a1");
}

/* GET over a plain socket to 127.0.0.1:port with the given header lines;
 * prints the status line and the body. Returns the HTTP status or -1. */
static int http_get(int port, const char *target, const char *headers)
{
    struct sockaddr_in addr;
    char request[4096], answer[16384];
    size_t used = 0;
    ssize_t n;
    int fd, status = -1;
    const char *body;

    snprintf(request, sizeof request,
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s\r\n", target, port,
             headers);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
        perror("connect/write");
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    while (used + 1 < sizeof answer && (n = read(fd, answer + used, sizeof answer - 1 - used)) > 0) {
        used += (size_t)n;
    }
    close(fd);
    answer[used] = '\0';
    if (sscanf(answer, "HTTP/1.%*d %d", &status) != 1) {
        return -1;
    }
    body = strstr(answer, "\r\n\r\n");
    printf("  HTTP %d\n  %s\n", status, body ? body + 4 : "");
    return status;
}

static void with_emulator(const char *base_url)
{
    char config[1024], token[256], userid[256], headers[2048];
    size_t len;
    int port = 0;
    erpauth_status status;
    erpauth_kingdee_client *kingdee = NULL;
    erpauth_weaver_client *weaver = NULL;

    if (sscanf(base_url, "http://127.0.0.1:%d", &port) != 1) {
        printf("expected http://127.0.0.1:PORT, got %s\n", base_url);
        failures++;
        return;
    }

    /* The emulator's default credentials (docs/EMULATOR.md). */
    printf("\nKingdee app-token from %s\n", base_url);
    snprintf(config, sizeof config,
             "{\"client_id\":\"emu-client-id\",\"client_secret\":\"emu-client-secret\","
             "\"app_key\":\"emuAppKey\",\"app_secret\":\"emu-app-secret\","
             "\"base_url\":\"%s\",\"domain\":\"https://emu.jdy.com\"}",
             base_url);
    status = erpauth_kingdee_client_new(config, &kingdee);
    if (status != ERPAUTH_OK) {
        print_error("erpauth_kingdee_client_new", status);
        return;
    }
    status = erpauth_kingdee_client_app_token(kingdee, token, sizeof token, &len);
    if (status == ERPAUTH_OK) {
        printf("  app-token              %s\n", token);
    } else {
        print_error("erpauth_kingdee_client_app_token", status);
    }

    printf("\nSigned headers of GET /jdy/v2/bd/customer (the token comes from the cache)\n");
    status = erpauth_kingdee_client_headers(kingdee, "GET", "/jdy/v2/bd/customer", headers,
                                            sizeof headers, &len);
    if (status == ERPAUTH_OK) {
        const char *line = headers;
        while (*line) {
            const char *end = strstr(line, "\r\n");
            int n = end ? (int)(end - line) : (int)strlen(line);
            printf("  %.*s\n", n, line);
            line += n + (end ? 2 : 0);
        }
        printf("\nThe business call GET /jdy/v2/bd/customer over a plain socket\n");
        if (http_get(port, "/jdy/v2/bd/customer", headers) != 200) {
            failures++;
        }
    } else {
        print_error("erpauth_kingdee_client_headers", status);
    }
    erpauth_kingdee_client_free(kingdee);

    printf("\nWeaver e9 token for the user with loginid zhangs, from %s\n", base_url);
    snprintf(config, sizeof config,
             "{\"base_url\":\"%s\",\"appid\":\"emu-appid\",\"secret\":\"emu-secret\","
             "\"aes_key\":\"emu-aes-key-0016\"}",
             base_url);
    status = erpauth_weaver_client_new(config, &weaver);
    if (status != ERPAUTH_OK) {
        print_error("erpauth_weaver_client_new", status);
        return;
    }
    status = erpauth_weaver_client_token(weaver, "loginid", "zhangs", token, sizeof token, &len);
    if (status == ERPAUTH_OK) {
        printf("  token                  %s\n", token);
    } else {
        print_error("erpauth_weaver_client_token", status);
    }
    status = erpauth_weaver_client_userid(weaver, "loginid", "zhangs", userid, sizeof userid, &len);
    if (status == ERPAUTH_OK) {
        printf("  userid (encrypted)     %s\n", userid);
    } else {
        print_error("erpauth_weaver_client_userid", status);
    }
    erpauth_weaver_client_free(weaver);
}

int main(int argc, char **argv)
{
    printf("erpauth %s\n\n", erpauth_version());
    public_vectors();
    if (argc > 1) {
        with_emulator(argv[1]);
    }
    printf("\n%s\n", failures == 0 ? "demo: all OK" : "demo: FAILED");
    return failures == 0 ? 0 : 1;
}
