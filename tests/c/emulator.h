/*
 * Test helpers: the erpauth emulator the client tests talk to, and a tiny
 * HTTP/1.1 client over a socket for its control endpoints and for Kingdee
 * business calls.
 *
 * Where the emulator comes from:
 * - $ERPAUTH_EMULATOR_URL (http://127.0.0.1:PORT) names one that is already
 *   running (the runner of the cross-platform tests starts it natively, and
 *   the test program may run under Wine or qemu, where it cannot start a
 *   Linux program itself); the runner also stops it.
 * - Otherwise, on POSIX, the test starts `erpauth emulate` as a child
 *   process ($ERPAUTH_EMULATOR names the binary) and stops it at the end.
 *   On Windows there is no fork: the URL is required there.
 *
 * POSIX sockets, or Winsock on _WIN32. The including file defines
 * _POSIX_C_SOURCE 200809L before any #include.
 */
#ifndef ERPAUTH_TEST_EMULATOR_H
#define ERPAUTH_TEST_EMULATOR_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
typedef SOCKET test_socket;
#define TEST_BAD_SOCKET INVALID_SOCKET
#define test_close_socket closesocket
/* The only call that needs it: WSAStartup once per process (never undone,
 * as the process ends right after the tests). */
static inline int test_sockets_ready(void)
{
    static int ready;
    WSADATA data;
    if (!ready && WSAStartup(MAKEWORD(2, 2), &data) == 0) {
        ready = 1;
    }
    return ready;
}
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
typedef int test_socket;
#define TEST_BAD_SOCKET (-1)
#define test_close_socket close
static inline int test_sockets_ready(void)
{
    return 1;
}
#endif

typedef struct {
#ifndef _WIN32
    pid_t pid;           /* 0 when the runner started the emulator */
    int stdin_fd;        /* closing it stops the emulator (--exit-on-stdin-eof) */
    FILE *stdout_file;
#endif
    int external;        /* 1: $ERPAUTH_EMULATOR_URL, started and stopped by the runner */
    int port;
    char base_url[64];   /* http://127.0.0.1:PORT */
} emulator_process;

/* The emulator binary: $ERPAUTH_EMULATOR, else target/release/erpauth. */
static inline const char *emulator_binary(void)
{
    const char *path = getenv("ERPAUTH_EMULATOR");
    return path != NULL && *path != '\0' ? path : "target/release/erpauth";
}

/* Uses the emulator at $ERPAUTH_EMULATOR_URL. Returns 0 if it is set and of
 * the form http://127.0.0.1:PORT, 1 if it is not set, -1 if it is malformed. */
static inline int emulator_from_url(emulator_process *emu)
{
    const char *url = getenv("ERPAUTH_EMULATOR_URL");
    if (url == NULL || *url == '\0') {
        return 1;
    }
    if (sscanf(url, "http://127.0.0.1:%d", &emu->port) != 1 || emu->port <= 0 ||
        emu->port > 65535) {
        fprintf(stderr, "ERPAUTH_EMULATOR_URL is not http://127.0.0.1:PORT: %s\n", url);
        return -1;
    }
    emu->external = 1;
    snprintf(emu->base_url, sizeof emu->base_url, "http://127.0.0.1:%d", emu->port);
    printf("  emulator: the runner's, from ERPAUTH_EMULATOR_URL\n");
    return 0;
}

#ifdef _WIN32
static inline int emulator_start(emulator_process *emu, const char *config_file)
{
    int from_url;
    memset(emu, 0, sizeof *emu);
    if (!test_sockets_ready()) {
        fprintf(stderr, "WSAStartup failed\n");
        return -1;
    }
    from_url = emulator_from_url(emu);
    if (from_url == 1) {
        fprintf(stderr, "on Windows the tests need a running emulator: set "
                        "ERPAUTH_EMULATOR_URL=http://127.0.0.1:PORT\n");
    }
    if (from_url == 0 && config_file != NULL) {
        fprintf(stderr, "a config file needs an emulator started by the test (POSIX only)\n");
        return -1;
    }
    return from_url == 0 ? 0 : -1;
}

/* The runner stops its emulator: nothing to do, and it counts as a clean stop. */
static inline int emulator_stop(emulator_process *emu)
{
    (void)emu;
    return 0;
}

static inline int emulator_stopped_cleanly(int status)
{
    return status == 0;
}
#else
/* Starts `erpauth emulate --port 0 --exit-on-stdin-eof [--config FILE]` and
 * reads its first line, or uses $ERPAUTH_EMULATOR_URL. Returns 0 on success. */
static inline int emulator_start(emulator_process *emu, const char *config_file)
{
    int to_child[2], from_child[2];
    char line[256];
    const char *binary = emulator_binary();
    int from_url;

    memset(emu, 0, sizeof *emu);
    from_url = emulator_from_url(emu);
    if (from_url == 0 && config_file != NULL) {
        fprintf(stderr, "a config file needs an emulator started by the test: unset "
                        "ERPAUTH_EMULATOR_URL\n");
        return -1;
    }
    if (from_url != 1) {
        return from_url;
    }
    printf("  emulator: started by the test (%s)\n", binary);
    if (pipe(to_child) != 0 || pipe(from_child) != 0) {
        perror("pipe");
        return -1;
    }
    emu->pid = fork();
    if (emu->pid < 0) {
        perror("fork");
        return -1;
    }
    if (emu->pid == 0) {
        dup2(to_child[0], STDIN_FILENO);
        dup2(from_child[1], STDOUT_FILENO);
        close(to_child[0]);
        close(to_child[1]);
        close(from_child[0]);
        close(from_child[1]);
        if (config_file != NULL) {
            execl(binary, binary, "emulate", "--port", "0", "--exit-on-stdin-eof", "--config",
                  config_file, (char *)NULL);
        } else {
            execl(binary, binary, "emulate", "--port", "0", "--exit-on-stdin-eof", (char *)NULL);
        }
        fprintf(stderr, "cannot run %s: %s\n", binary, strerror(errno));
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    fcntl(to_child[1], F_SETFD, FD_CLOEXEC);
    fcntl(from_child[0], F_SETFD, FD_CLOEXEC);
    emu->stdin_fd = to_child[1];
    emu->stdout_file = fdopen(from_child[0], "r");
    if (emu->stdout_file == NULL || fgets(line, sizeof line, emu->stdout_file) == NULL ||
        sscanf(line, "listening on http://127.0.0.1:%d", &emu->port) != 1 || emu->port <= 0) {
        fprintf(stderr, "the emulator (%s) did not print \"listening on http://127.0.0.1:PORT\"\n",
                binary);
        return -1;
    }
    snprintf(emu->base_url, sizeof emu->base_url, "http://127.0.0.1:%d", emu->port);
    return 0;
}

/* Closes the emulator's stdin and waits for it; returns its exit status
 * (0 for the runner's emulator, which the runner stops). */
static inline int emulator_stop(emulator_process *emu)
{
    int status = -1;
    if (emu->external) {
        return 0;
    }
    if (emu->pid <= 0) {
        return -1;
    }
    close(emu->stdin_fd);
    if (waitpid(emu->pid, &status, 0) != emu->pid) {
        status = -1;
    }
    if (emu->stdout_file != NULL) {
        fclose(emu->stdout_file);
    }
    emu->pid = 0;
    return status;
}

static inline int emulator_stopped_cleanly(int status)
{
    return status == 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
#endif

/* A port on 127.0.0.1 where nothing listens (bound, then released). */
static inline int unused_port(void)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int port = 0;
    test_socket fd;
    if (!test_sockets_ready()) {
        return 0;
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd != TEST_BAD_SOCKET && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd != TEST_BAD_SOCKET) {
        test_close_socket(fd);
    }
    return port;
}

#define HTTP_RESPONSE_MAX 65536

typedef struct {
    int status;          /* the HTTP status, or -1 if no answer */
    const char *body;    /* points into raw, after the blank line */
    char raw[HTTP_RESPONSE_MAX];
} http_response;

static inline int write_all(test_socket fd, const char *data, size_t len)
{
    while (len > 0) {
        int n = (int)send(fd, data, (int)len, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One request to 127.0.0.1:port with `Connection: close`. `headers` is
 * NULL or "Name: value\r\n" lines (as erpauth produces them); `body` is NULL
 * or a request body. Returns 0 when an HTTP answer was read. */
static inline int http_request(int port, const char *method, const char *target,
                               const char *headers, const char *body, http_response *response)
{
    struct sockaddr_in addr;
    char head[8192];
    size_t used = 0;
    test_socket fd;
    int n;

    response->status = -1;
    response->body = "";
    response->raw[0] = '\0';
    n = snprintf(head, sizeof head,
                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s"
                 "Content-Length: %u\r\n\r\n",
                 method, target, port, headers ? headers : "", (unsigned)(body ? strlen(body) : 0));
    if (n < 0 || (size_t)n >= sizeof head) {
        return -1;
    }
    if (!test_sockets_ready()) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == TEST_BAD_SOCKET) {
        return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        write_all(fd, head, (size_t)n) != 0 || (body && write_all(fd, body, strlen(body)) != 0)) {
        test_close_socket(fd);
        return -1;
    }
    while (used + 1 < sizeof response->raw) {
        int got = (int)recv(fd, response->raw + used, (int)(sizeof response->raw - 1 - used), 0);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        used += (size_t)got;
    }
    test_close_socket(fd);
    response->raw[used] = '\0';
    if (sscanf(response->raw, "HTTP/1.%*d %d", &response->status) != 1) {
        response->status = -1;
        return -1;
    }
    {
        const char *blank = strstr(response->raw, "\r\n\r\n");
        response->body = blank ? blank + 4 : "";
    }
    return 0;
}

/* The number after "key": in a flat JSON object, or -1. */
static inline long json_number(const char *json, const char *key)
{
    char pattern[128];
    const char *at;
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    at = strstr(json, pattern);
    return at ? strtol(at + strlen(pattern), NULL, 10) : -1;
}

/* One counter of GET /__emulator/stats, or -1. */
static inline long emulator_stat(const emulator_process *emu, const char *counter)
{
    http_response r;
    if (http_request(emu->port, "GET", "/__emulator/stats", NULL, NULL, &r) != 0 ||
        r.status != 200) {
        return -1;
    }
    return json_number(r.body, counter);
}

/* POST to a control endpoint (reset_stats, expire_tokens, config); 0 on HTTP 200. */
static inline int emulator_post(const emulator_process *emu, const char *path, const char *body)
{
    http_response r;
    return http_request(emu->port, "POST", path, "Content-Type: application/json\r\n", body, &r) ==
                   0 && r.status == 200
               ? 0
               : -1;
}

#endif /* ERPAUTH_TEST_EMULATOR_H */
