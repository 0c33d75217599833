/*
 * erpauth called while a thread is being torn down: from a pthread key
 * destructor, which glibc runs after the thread's own thread-local
 * destructors (so the library's per-thread last error may already be gone).
 * Every call must still return its status; the host must not abort. Before
 * the fix, a failing call there panicked inside the library ("cannot access
 * a Thread Local Storage value during or after destruction") and the panic
 * could not unwind out of the C function: abort, exit status 134.
 *
 * Run natively and under valgrind by tests/c/run.sh.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

#define KD_KEY "abc"
#define KD_SECRET "abc123"

enum { SCENARIOS = 3, RESULTS = 8 };

/* What each destructor saw, checked by main after the join. */
static int results[SCENARIOS][RESULTS];
static size_t lens[SCENARIOS][RESULTS];
static pthread_key_t key;

static void in_destructor(void *arg)
{
    int scenario = (int)(size_t)arg - 1;
    char out[256];
    size_t len = 0;
    erpauth_kingdee_client *client = NULL;

    /* A failing call: the last error is written (or dropped). */
    results[scenario][0] = erpauth_kingdee_app_signature(NULL, KD_SECRET, out, sizeof out, &len);
    lens[scenario][0] = len;
    /* Reading the last error: whatever is left, never a crash. */
    results[scenario][1] = erpauth_last_error(out, sizeof out, &len);
    /* A successful call still works. */
    results[scenario][2] = erpauth_kingdee_app_signature(KD_KEY, KD_SECRET, out, sizeof out, &len);
    lens[scenario][2] = len;
    /* BUFFER_TOO_SMALL sets a message too. */
    results[scenario][3] = erpauth_kingdee_app_signature(KD_KEY, KD_SECRET, out, 4, &len);
    lens[scenario][3] = len;
    /* A refused config, through the handle path. */
    results[scenario][4] = erpauth_kingdee_client_new("{\"client_id\":1}", &client);
    results[scenario][5] = client == NULL;
    /* NULL out_len. */
    results[scenario][6] = erpauth_weaver_sign("a", "s", "0123456789abcdef", 1, out, sizeof out, NULL);
    /* Functions without a status. */
    erpauth_kingdee_client_invalidate(NULL);
    erpauth_weaver_client_free(NULL);
    results[scenario][7] = 1;
}

static void *thread_main(void *arg)
{
    int scenario = (int)(size_t)arg - 1;
    char out[128];
    size_t len = 0;
    erpauth_kingdee_client *client = NULL;
    if (scenario == 0) {
        /* The thread's last error is set before it ends. */
        erpauth_kingdee_app_signature(NULL, KD_SECRET, out, sizeof out, &len);
    } else if (scenario == 1) {
        /* A success, then a refused config: the buffer exists, with text. */
        erpauth_kingdee_app_signature(KD_KEY, KD_SECRET, out, sizeof out, &len);
        erpauth_kingdee_client_new("{\"client_id\":\"c\",\"client_secret\":\"s\",\"app_key\":\"k\","
                                   "\"app_secret\":\"a\",\"base_url\":\"ftp://x\"}",
                                   &client);
    }
    /* scenario 2: the library is first used in the destructor. */
    pthread_setspecific(key, (void *)(size_t)(scenario + 1));
    return NULL;
}

int main(void)
{
    int scenario;
    CHECK(pthread_key_create(&key, in_destructor) == 0);
    for (scenario = 0; scenario < SCENARIOS; scenario++) {
        pthread_t thread;
        CHECK(pthread_create(&thread, NULL, thread_main, (void *)(size_t)(scenario + 1)) == 0);
        CHECK(pthread_join(thread, NULL) == 0);
        CHECK_STATUS(results[scenario][0], ERPAUTH_INVALID_ARGUMENT);
        CHECK(lens[scenario][0] == 0);
        CHECK_STATUS(results[scenario][1], ERPAUTH_OK);
        CHECK_STATUS(results[scenario][2], ERPAUTH_OK);
        CHECK(lens[scenario][2] == 88);
        CHECK_STATUS(results[scenario][3], ERPAUTH_BUFFER_TOO_SMALL);
        CHECK(lens[scenario][3] == 88);
        CHECK_STATUS(results[scenario][4], ERPAUTH_INVALID_ARGUMENT);
        CHECK(results[scenario][5] == 1);
        CHECK_STATUS(results[scenario][6], ERPAUTH_INVALID_ARGUMENT);
        CHECK(results[scenario][7] == 1);
    }
    CHECK(pthread_key_delete(key) == 0);
    /* The main thread's last error is untouched by the other threads. */
    {
        char out[64];
        size_t len = 0;
        CHECK_STATUS(erpauth_last_error(out, sizeof out, &len), ERPAUTH_OK);
        CHECK(len == 0);
    }
    return check_report("test_teardown");
}
