package io.github.erpauth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The transport settings every client builder shares: timeout, token refresh margin, trusted
 * certificate authorities and proxy. Setters reject {@code null} with a
 * {@link NullPointerException} naming the parameter, and a negative or fractional duration with
 * an {@link IllegalArgumentException} (a 500 ms margin never silently becomes 0 s); the native
 * library checks the rest when the client is built.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ClientBuilder<B extends ClientBuilder<B>> {
    final ConfigJson config = new ConfigJson();
    /** The client this builds, e.g. {@code "KingdeeClient"}: errors and toString() name it. */
    private final String clientType;
    /** The settings toString() shows, by builder method, in a fixed order: never a secret. */
    private final Map<String, String> shown = new LinkedHashMap<>();

    /**
     * @param shownSettings the builder methods whose values toString() shows (an id and the
     *     server URL), in that order
     */
    ClientBuilder(String clientType, String... shownSettings) {
        this.clientType = clientType;
        for (String setting : shownSettings) {
            shown.put(setting, null);
        }
    }

    /** As {@link #put(String, String, String)}, for a setting toString() shows. */
    final B putShown(String key, String value, String parameter) {
        put(key, value, parameter);
        shown.put(parameter, value);
        return self();
    }

    /** What toString() shows for a setting not set: the default the native library applies. */
    final void showDefault(String parameter, String value) {
        shown.put(parameter, value);
    }

    /** The value of a shown setting, or its default, or {@code null}. */
    final String shown(String parameter) {
        return shown.get(parameter);
    }

    /** The shown settings, e.g. {@code [appid=a1, baseUrl=http://oa:8080]}: what the client's toString() shows too. */
    final String settings() {
        StringBuilder text = new StringBuilder("[");
        for (Map.Entry<String, String> setting : shown.entrySet()) {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(setting.getKey()).append('=').append(setting.getValue());
        }
        return text.append(']').toString();
    }

    /**
     * The native client of this configuration; an error names the setting by its builder
     * method (e.g. {@code KingdeeClient.Builder.clientId}).
     */
    final long newClient(NativeCall.NewClientFunction function) {
        String json = config.toJson();
        Natives.requireLoaded();
        return NativeCall.newClient(json, function, clientType + ".Builder");
    }

    /** Never shows a secret. */
    @Override
    public String toString() {
        return clientType + ".Builder" + settings();
    }

    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }

    /** Sets a string setting; {@code null} is refused naming the Java parameter. */
    final B put(String key, String value, String parameter) {
        config.put(key, Objects.requireNonNull(value, parameter));
        return self();
    }

    final B put(String key, long value) {
        config.put(key, value);
        return self();
    }

    final B put(String key, boolean value) {
        config.put(key, value);
        return self();
    }

    /** Sets a duration in whole seconds; see {@link #whole}. */
    final B putSeconds(String key, Duration value, String method) {
        return put(key, whole(value, method, SECONDS, "seconds"));
    }

    /**
     * {@code value} in whole units of {@code unitNanos}, or an {@link IllegalArgumentException}
     * naming the builder method for a negative or fractional value.
     */
    static long whole(Duration value, String method, long unitNanos, String unit) {
        Objects.requireNonNull(value, method);
        if (value.isNegative()) {
            throw new IllegalArgumentException(method + "(" + value + "): must not be negative");
        }
        if (value.getNano() % unitNanos != 0) {
            throw new IllegalArgumentException(method + "(" + value + "): must be a whole number of " + unit);
        }
        if (unitNanos == 1_000_000_000L) {
            return value.getSeconds();
        }
        return value.toMillis();
    }

    static final long MILLIS = 1_000_000L;
    static final long SECONDS = 1_000_000_000L;

    /** Bound on each whole request, connect to last byte (default 10 s; whole milliseconds). */
    public B timeout(Duration timeout) {
        return put("timeout_ms", whole(timeout, "timeout", MILLIS, "milliseconds"));
    }

    /** Refresh a token this long before it ends (default 5 min, at most a tenth of its life; whole seconds). */
    public B refreshMargin(Duration margin) {
        return putSeconds("refresh_margin_s", margin, "refreshMargin");
    }

    /** Which certificate authorities to trust (default {@link TlsRoots#WEBPKI}). */
    public B tlsRoots(TlsRoots roots) {
        config.put("tls_roots", Objects.requireNonNull(roots, "roots").configValue);
        return self();
    }

    /**
     * A PEM file of the certificate authorities to trust <em>instead of</em> the built-in web
     * roots, e.g. an internal CA. The JVM's trust store ({@code cacerts}, {@code
     * -Djavax.net.ssl.trustStore}) is not consulted: export the CA from it with {@code keytool
     * -exportcert -rfc} and give that file here.
     */
    public B caFile(Path pemFile) {
        config.put("ca_file", Objects.requireNonNull(pemFile, "pemFile").toString());
        return self();
    }

    /**
     * Trust exactly the certificate authorities the JVM trusts (its default trust manager:
     * {@code cacerts}, or {@code -Djavax.net.ssl.trustStore} and its password), as Java's own
     * HTTPS clients do: they are exported once per JVM to a temporary PEM file (deleted at exit)
     * that is given as {@link #caFile(Path)}, replacing the built-in web roots.
     */
    public B caFromJvmTrustStore() {
        config.put("ca_file", JvmTrustStore.pemFile().toString());
        return self();
    }

    /**
     * An HTTP proxy such as {@code http://user:pass@proxy:3128}. Without one, no proxy is used:
     * the native stack does not read {@code -Dhttps.proxyHost}; see {@link #proxyFromSystemProperties()}.
     */
    public B proxy(String proxyUrl) {
        return put("proxy", proxyUrl, "proxyUrl");
    }

    /** The largest business-call answer accepted, in bytes (default 10 MiB); a larger one is refused. */
    public B maxBodyBytes(long maxBodyBytes) {
        return put("max_body_bytes", maxBodyBytes);
    }

    /**
     * Use the proxy of the environment variables {@code HTTPS_PROXY}/{@code HTTP_PROXY}
     * (never used unless asked for, so that an intranet server is not sent to a proxy).
     */
    public B proxyFromEnvironment() {
        config.put("proxy", "env");
        return self();
    }

    /**
     * Use the JVM's proxy system properties: {@code https.proxyHost}/{@code https.proxyPort},
     * else {@code http.proxyHost}/{@code http.proxyPort} (port default 80 and 443 as the JDK's).
     * Nothing changes when neither host is set. {@code http.nonProxyHosts} is not applied:
     * leave this out for a server that must be reached directly.
     */
    public B proxyFromSystemProperties() {
        String url = systemPropertiesProxy();
        if (url != null) {
            config.put("proxy", url);
        }
        return self();
    }

    static String systemPropertiesProxy() {
        String host = System.getProperty("https.proxyHost");
        String port = System.getProperty("https.proxyPort", "443");
        if (host == null || host.isEmpty()) {
            host = System.getProperty("http.proxyHost");
            port = System.getProperty("http.proxyPort", "80");
        }
        if (host == null || host.isEmpty()) {
            return null;
        }
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
