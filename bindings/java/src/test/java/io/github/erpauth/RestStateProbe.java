package io.github.erpauth;

import java.nio.file.Paths;

/**
 * Run in a JVM of its own by {@link LifecycleMidRunTest}: a second process that opens the
 * Weaver REST state file another process registered with, fetches a token, calls, and prints
 * its registration (one line "REGISTRATION {json}") and the call's answer ("CALL status body").
 * Arguments: base URL, appid, state file.
 */
public final class RestStateProbe {
    private RestStateProbe() {
    }

    public static void main(String[] args) {
        try (WeaverRestClient client = WeaverRestClient.builder().baseUrl(args[0]).appid(args[1])
                .stateFile(Paths.get(args[2])).build()) {
            client.token();
            ErpAuthResponse echo = client.call("POST", "/api/emulator/rest/echo", "{\"from\":\"child\"}", null, "9");
            System.out.println("REGISTRATION " + client.register());
            System.out.println("CALL " + echo.statusCode() + " " + echo.text());
        }
    }
}
