package io.github.erpauth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON object a client is configured with, built from typed builder values so that
 * no caller writes JSON by hand. Strings are escaped per RFC 8259; keys stay in insertion order.
 */
final class ConfigJson {
    private final Map<String, Object> values = new LinkedHashMap<>();

    ConfigJson put(String key, String value) {
        if (value == null) {
            throw new NullPointerException(key);
        }
        values.put(key, value);
        return this;
    }

    ConfigJson put(String key, long value) {
        values.put(key, value);
        return this;
    }

    ConfigJson put(String key, boolean value) {
        values.put(key, value); // Boolean.toString is the JSON literal
        return this;
    }

    String toJson() {
        StringBuilder json = new StringBuilder(256).append('{');
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            appendString(json, entry.getKey());
            json.append(':');
            Object value = entry.getValue();
            if (value instanceof String) {
                appendString(json, (String) value);
            } else {
                json.append(value);
            }
        }
        return json.append('}').toString();
    }

    static void appendString(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': json.append("\\\""); break;
                case '\\': json.append("\\\\"); break;
                case '\n': json.append("\\n"); break;
                case '\r': json.append("\\r"); break;
                case '\t': json.append("\\t"); break;
                case '\b': json.append("\\b"); break;
                case '\f': json.append("\\f"); break;
                default:
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        // Everything else, non-ASCII included, is valid as is inside a JSON string;
                        // the whole text is then encoded as UTF-8 (unpaired surrogates refused there).
                        json.append(c);
                    }
            }
        }
        json.append('"');
    }
}
