package io.github.erpauth.bench;

import java.io.UnsupportedEncodingException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Kingdee gateway signature as integration teams write it by hand today: URLEncoder plus
 * the usual replace() fix-ups for the gateway's encoder, a sorted list of pairs, and a fresh
 * {@code Mac} per call (and, for comparison with the binding's signers, with the {@code Mac}
 * keyed once). Produces exactly the binding's output (checked before every run).
 */
final class HandWrittenKingdee {
    private HandWrittenKingdee() {}

    static String gwEncode(String s) throws UnsupportedEncodingException {
        return URLEncoder.encode(s, "UTF-8").replace("*", "%2A").replace("%7E", "~");
    }

    /** A {@code Mac} keyed once, for the "prepared" variant (one per thread: a Mac is not thread-safe). */
    static Mac preparedMac(String key) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac;
    }

    static String hmacHexBase64(String key, String message) throws GeneralSecurityException {
        return hmacHexBase64(preparedMac(key), message);
    }

    /** {@code doFinal} leaves the Mac keyed and reset, ready for the next message. */
    static String hmacHexBase64(Mac mac, String message) {
        byte[] digest = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder(64);
        for (byte b : digest) {
            String h = Integer.toHexString(b & 0xFF);
            if (h.length() == 1) {
                hex.append('0');
            }
            hex.append(h);
        }
        return Base64.getEncoder().encodeToString(hex.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String appSignature(String appKey, String appSecret) throws GeneralSecurityException {
        return hmacHexBase64(appSecret, appKey);
    }

    static String signature(String clientSecret, String method, String path, Map<String, String> params,
            String nonce, String timestamp) throws GeneralSecurityException, UnsupportedEncodingException {
        return hmacHexBase64(clientSecret, stringToSign(method, path, params, nonce, timestamp));
    }

    /** The same signature with the Mac keyed once: the hand-written counterpart of a signer. */
    static String signature(Mac preparedMac, String method, String path, Map<String, String> params,
            String nonce, String timestamp) throws UnsupportedEncodingException {
        return hmacHexBase64(preparedMac, stringToSign(method, path, params, nonce, timestamp));
    }

    static String stringToSign(String method, String path, Map<String, String> params, String nonce,
            String timestamp) throws UnsupportedEncodingException {
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, String> e : params.entrySet()) {
            pairs.add(gwEncode(e.getKey()) + "=" + URLEncoder.encode(e.getValue(), "UTF-8"));
        }
        Collections.sort(pairs);
        StringBuilder query = new StringBuilder();
        for (String pair : pairs) {
            if (query.length() > 0) {
                query.append('&');
            }
            int eq = pair.indexOf('=');
            query.append(gwEncode(pair.substring(0, eq))).append('=').append(gwEncode(pair.substring(eq + 1)));
        }
        return method.toUpperCase() + "\n" + gwEncode(path) + "\n" + query + "\n"
                + "x-api-nonce:" + nonce + "\n" + "x-api-timestamp:" + timestamp + "\n";
    }
}
