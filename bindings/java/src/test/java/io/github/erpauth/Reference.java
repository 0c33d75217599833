package io.github.erpauth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An independent plain-Java implementation of the spec (docs/protocol/kingdee.md and
 * weaver.md) on {@code javax.crypto}, written from the spec text and not from the Rust
 * code, to cross-check the native library on random inputs.
 */
final class Reference {
    private Reference() {}

    static String hmacHexBase64(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            // SecretKeySpec refuses an empty key; HMAC pads short keys with zero bytes, so the
            // one-byte key {0} is the same HMAC key as the empty one.
            mac.init(new SecretKeySpec(keyBytes.length == 0 ? new byte[1] : keyBytes, "HmacSHA256"));
            byte[] digest = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(hex(digest, false).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static String appSignature(String appKey, String appSecret) {
        return hmacHexBase64(appSecret, appKey);
    }

    /** Percent-encoding over UTF-8 with upper-case hex and space as '+', keeping {@code keep}. */
    private static String encode(String s, String keep) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || keep.indexOf(c) >= 0) {
                out.append((char) c);
            } else if (c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    /** java.net.URLEncoder's set. */
    static String javaEncode(String s) {
        return encode(s, ".-*_");
    }

    /** The gateway's set. */
    static String gwEncode(String s) {
        return encode(s, ".-_~");
    }

    static String canonicalQuery(List<String[]> params) {
        List<String> pairs = new ArrayList<>();
        for (String[] p : params) {
            pairs.add(gwEncode(p[0]) + "=" + javaEncode(p[1]));
        }
        Collections.sort(pairs); // all ASCII, so String order is byte order
        StringBuilder out = new StringBuilder();
        for (String s : pairs) {
            int eq = s.indexOf('=');
            if (eq < 1) {
                continue; // apigwclient 0.1.5 getQueryEncode: an empty name is not signed
            }
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(gwEncode(s.substring(0, eq))).append('=').append(gwEncode(s.substring(eq + 1)));
        }
        return out.toString();
    }

    static String stringToSign(String method, String path, List<String[]> params, String nonce, String timestamp) {
        return method.toUpperCase(Locale.ROOT) + "\n" + gwEncode(path) + "\n" + canonicalQuery(params) + "\n"
                + "x-api-nonce:" + nonce + "\n" + "x-api-timestamp:" + timestamp + "\n";
    }

    static String signature(String clientSecret, String method, String path, List<String[]> params, String nonce,
            String timestamp) {
        return hmacHexBase64(clientSecret, stringToSign(method, path, params, nonce, timestamp));
    }

    static String weaverSign(String appid, String secret, String aesKey, long timestampMs) {
        try {
            String md5 = hex(MessageDigest.getInstance("MD5")
                    .digest((appid + ":" + secret).getBytes(StandardCharsets.UTF_8)), true);
            Cipher aes = Cipher.getInstance("AES/ECB/PKCS5Padding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey.getBytes(StandardCharsets.UTF_8), "AES"));
            return hex(aes.doFinal((timestampMs + "_" + md5).getBytes(StandardCharsets.UTF_8)), false);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static String aesDecrypt(String aesKey, byte[] ciphertext) {
        try {
            Cipher aes = Cipher.getInstance("AES/ECB/PKCS5Padding");
            aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey.getBytes(StandardCharsets.UTF_8), "AES"));
            return new String(aes.doFinal(ciphertext), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] unhex(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static String hex(byte[] bytes, boolean upper) {
        StringBuilder out = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            out.append(String.format(upper ? "%02X" : "%02x", b & 0xFF));
        }
        return out.toString();
    }
}
