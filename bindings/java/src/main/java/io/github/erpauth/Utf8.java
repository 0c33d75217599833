package io.github.erpauth;

/** UTF-8 encoding for the C boundary, never through the platform's default charset. */
final class Utf8 {
    private Utf8() {}

    /**
     * {@code s} as NUL-terminated UTF-8 for a {@code const char *} parameter.
     *
     * <p>Written by hand rather than with {@code String.getBytes(UTF_8)} for two reasons:
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

    private static byte[] cStringSlow(String s, String name) {
        int length = s.length();
        int size = 1;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new ErpAuthException(Status.INVALID_ARGUMENT, name
                        + " contains a NUL character (U+0000) at index " + i
                        + ": the native library would see the text end there");
            } else if (c < 0x80) {
                size += 1;
            } else if (c < 0x800) {
                size += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                size += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new ErpAuthException(Status.INVALID_ARGUMENT, name
                        + " is not valid Unicode: unpaired surrogate at index " + i
                        + ", which has no UTF-8 form");
            } else {
                size += 3;
            }
        }
        byte[] out = new byte[size];
        int at = 0;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[at++] = (byte) c;
            } else if (c < 0x800) {
                out[at++] = (byte) (0xC0 | (c >> 6));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[at++] = (byte) (0xF0 | (cp >> 18));
                out[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[at++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[at++] = (byte) (0xE0 | (c >> 12));
                out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return out; // the last byte is still 0: the terminating NUL
    }
}
