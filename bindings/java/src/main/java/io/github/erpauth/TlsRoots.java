package io.github.erpauth;

/** Which certificate authorities a client trusts for {@code https://} servers. */
public enum TlsRoots {
    /** Mozilla's root certificates, built into the native library (the default). */
    WEBPKI("webpki"),
    /** The operating system's trust store and verifier. */
    SYSTEM("system");

    final String configValue;

    TlsRoots(String configValue) {
        this.configValue = configValue;
    }
}
