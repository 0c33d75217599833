package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random inputs, binding against {@link Reference} (plain {@code javax.crypto}). Targets are
 * built from random raw path segments and parameters, then put on the wire with a random mix
 * of literal characters and percent escapes (upper or lower hex, {@code +} or {@code %20} for
 * a space), so the library's decoding is checked together with its encoding and signing.
 * The signers ({@link Kingdee#signer}, {@link Weaver#signer}) are checked on the same inputs.
 * The seed is in every failure message; {@code -Derpauth.test.seed=N} replays one.
 */
class RandomCrossCheckTest {
    private static final long SEED = Long.getLong("erpauth.test.seed", System.nanoTime());
    private static final String[] EXTRA = {"中", "文", "é", "ß", "€", "\u00a0", "😀", "\t", "~", "*", "%", "+", "&", "=", "?", "#", "/", " "};

    private final Random random = new Random(SEED);

    private String rawText(int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (random.nextInt(4) == 0) {
                s.append(EXTRA[random.nextInt(EXTRA.length)]);
            } else {
                s.append((char) (0x20 + random.nextInt(0x7f - 0x20)));
            }
        }
        return s.toString();
    }

    private void escape(StringBuilder wire, String codePoint) {
        for (byte b : codePoint.getBytes(StandardCharsets.UTF_8)) {
            String hex = String.format("%02X", b & 0xFF);
            wire.append('%').append(random.nextBoolean() ? hex : hex.toLowerCase(Locale.ROOT));
        }
    }

    /** One raw string on the wire; {@code mustEscape} lists what would change its meaning. */
    private String wire(String raw, String mustEscape, boolean inQuery) {
        StringBuilder wire = new StringBuilder();
        for (int i = 0; i < raw.length(); ) {
            int cp = raw.codePointAt(i);
            String c = new String(Character.toChars(cp));
            i += c.length();
            if (inQuery && cp == ' ' && random.nextInt(3) == 0) {
                wire.append('+');
            } else if (mustEscape.indexOf(cp) >= 0 || random.nextInt(3) == 0) {
                escape(wire, c);
            } else {
                wire.append(c);
            }
        }
        return wire.toString();
    }

    private String digits() {
        StringBuilder s = new StringBuilder().append(1 + random.nextInt(9));
        for (int i = random.nextInt(14); i > 0; i--) {
            s.append(random.nextInt(10));
        }
        return s.toString();
    }

    @Test
    void kingdeeSignatureAndStringToSign() {
        String[] methods = {"GET", "POST", "put", "Delete", "PATCH"};
        for (int round = 0; round < 3000; round++) {
            String path = "/" + rawText(12) + (random.nextBoolean() ? "/" + rawText(8) : "");
            StringBuilder target = new StringBuilder("/").append(wire(path.substring(1), "%?", false));
            List<String[]> params = new ArrayList<>();
            int count = random.nextInt(5);
            for (int i = 0; i < count; i++) {
                String name = rawText(6);
                String value = rawText(10);
                if (name.isEmpty() && value.isEmpty()) {
                    name = "k";
                }
                params.add(new String[] {name, value});
                target.append(i == 0 ? '?' : '&').append(wire(name, "%&=+", true));
                if (!value.isEmpty() || name.isEmpty() || random.nextBoolean()) {
                    target.append('=').append(wire(value, "%&+", true));
                }
            }
            String method = methods[random.nextInt(methods.length)];
            String nonce = digits();
            String timestamp = digits();
            String secret = rawText(40);
            String context = "seed " + SEED + " round " + round + " target " + target;
            assertEquals(Reference.stringToSign(method, path, params, nonce, timestamp),
                    Kingdee.stringToSign(method, target.toString(), nonce, timestamp), context);
            String expected = Reference.signature(secret, method, path, params, nonce, timestamp);
            assertEquals(expected, Kingdee.signature(secret, method, target.toString(), nonce, timestamp), context);
            try (KingdeeSigner signer = Kingdee.signer(secret)) {
                assertEquals(expected, signer.signature(method, target.toString(), nonce, timestamp), context);
            }
        }
    }

    @Test
    void kingdeeAppSignature() {
        for (int round = 0; round < 3000; round++) {
            String appKey = rawText(30);
            String appSecret = rawText(60);
            assertEquals(Reference.appSignature(appKey, appSecret), Kingdee.appSignature(appKey, appSecret),
                    "seed " + SEED + " round " + round);
        }
    }

    private String aesKey() {
        int bytes = 16 + 8 * random.nextInt(3);
        StringBuilder key = new StringBuilder();
        while (key.toString().getBytes(StandardCharsets.UTF_8).length < bytes) {
            int left = bytes - key.toString().getBytes(StandardCharsets.UTF_8).length;
            if (left >= 3 && random.nextInt(4) == 0) {
                key.append(random.nextBoolean() ? "中" : "é"); // 3 or 2 bytes of UTF-8
            } else {
                key.append((char) (0x21 + random.nextInt(0x7f - 0x21)));
            }
        }
        return key.toString();
    }

    @Test
    void weaverSign() {
        for (int round = 0; round < 3000; round++) {
            String appid = rawText(20);
            String secret = rawText(40);
            String key = aesKey();
            long timestamp = 1 + (random.nextLong() >>> 14);
            String expected = Reference.weaverSign(appid, secret, key, timestamp);
            assertEquals(expected, Weaver.sign(appid, secret, key, timestamp), "seed " + SEED + " round " + round);
            try (WeaverSigner signer = Weaver.signer(appid, secret, key)) {
                assertEquals(expected, signer.sign(timestamp), "signer, seed " + SEED + " round " + round);
            }
        }
    }
}
