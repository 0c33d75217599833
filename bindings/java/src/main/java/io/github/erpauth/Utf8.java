package io.github.erpauth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 encoding for the C boundary, never through the platform's default charset. */
final class Utf8 {
    private Utf8() {}

    /**
     * {@code s} as NUL-terminated UTF-8 for a {@code const char *} parameter.
     *
     * <p>Not {@code String.getBytes(UTF_8)}, for two reasons:
     * {@code getBytes} silently turns an unpaired surrogate into {@code '?'} (a changed
     * secret gives a signature the server rejects with no hint why), and a U+0000 inside
     * the string would silently cut it short on the C side. Both are refused here with
     * {@link Status#INVALID_ARGUMENT}, naming the parameter but never showing its value.
     *
     * @param name the Java parameter name, for messages
     * @return {@code null} for {@code null}
     */
    static byte[] cString(String s, String name) {
        if (s == null) {
            return null;
        }
        int length = s.length();
        byte[] ascii = new byte[length + 1];
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c == 0 || c >= 0x80) {
                return cStringSlow(s, name);
            }
            ascii[i] = (byte) c;
        }
        return ascii;
    }

    /**
     * The general case, through the JDK's encoder set to {@link CodingErrorAction#REPORT}: an
     * unpaired surrogate is an error instead of a {@code '?'}. A NUL is valid UTF-8, so it is
     * looked for first.
     */
    private static byte[] cStringSlow(String s, String name) {
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            throw new ErpAuthException(Status.INVALID_ARGUMENT, name
                    + " contains a NUL character (U+0000) at index " + nul
                    + ": the native library would see the text end there");
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer in = CharBuffer.wrap(s);
        ByteBuffer encoded;
        try {
            encoded = encoder.encode(in);
        } catch (CharacterCodingException e) {
            // The encoder stops at the surrogate it cannot encode.
            throw new ErpAuthException(Status.INVALID_ARGUMENT, name
                    + " is not valid Unicode: unpaired surrogate at index " + in.position()
                    + ", which has no UTF-8 form");
        }
        byte[] out = new byte[encoded.remaining() + 1];
        encoded.get(out, 0, out.length - 1);
        return out; // the last byte is still 0: the terminating NUL
    }
}
