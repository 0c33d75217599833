package io.github.erpauth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities the JVM trusts (its default trust manager: {@code cacerts}, or
 * {@code -Djavax.net.ssl.trustStore}), exported once per JVM as a PEM file for the native
 * library's {@code ca_file}, which cannot read a Java key store.
 */
final class JvmTrustStore {
    private static Path exported;

    private JvmTrustStore() {}

    /** The PEM file, written on first use (deleted when the JVM exits). */
    static synchronized Path pemFile() {
        if (exported != null && Files.exists(exported)) {
            return exported;
        }
        X509Certificate[] authorities = authorities();
        if (authorities.length == 0) {
            throw new IllegalStateException("the JVM's default trust manager trusts no certificate authority");
        }
        StringBuilder pem = new StringBuilder(authorities.length * 2048);
        Base64.Encoder base64 = Base64.getMimeEncoder(64, new byte[] {'\n'});
        try {
            for (X509Certificate certificate : authorities) {
                pem.append("-----BEGIN CERTIFICATE-----\n")
                        .append(base64.encodeToString(certificate.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a certificate of the JVM's trust store cannot be encoded", e);
        }
        try {
            Path file = Files.createTempFile("erpauth-jvm-trust-", ".pem");
            file.toFile().deleteOnExit();
            Files.write(file, pem.toString().getBytes(StandardCharsets.US_ASCII));
            exported = file;
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("writing the JVM's trusted certificates to a temporary file", e);
        }
    }

    static X509Certificate[] authorities() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager) {
                    return ((X509TrustManager) manager).getAcceptedIssuers();
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM's default trust manager is not available", e);
        }
        throw new IllegalStateException("the JVM has no X.509 trust manager");
    }
}
