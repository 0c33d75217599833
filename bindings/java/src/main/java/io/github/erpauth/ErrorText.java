package io.github.erpauth;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the library's messages into this binding's vocabulary: a setting is named by its
 * builder method ({@code KingdeeClient.Builder.appSecret}), an argument by its Java parameter
 * ({@code pathAndQuery}), a function by its Java method, never by a JSON key or a C name.
 * The server's own words in a refusal are left as they are.
 */
final class ErrorText {
    private static final Map<String, String> SETTINGS = new HashMap<>();
    private static final Map<String, String> PARAMETERS = new HashMap<>();
    private static final Map<String, String> FUNCTIONS = new HashMap<>();

    static {
        String[][] settings = {
            {"client_id", "clientId"}, {"client_secret", "clientSecret"}, {"app_key", "appKey"},
            {"app_secret", "appSecret"}, {"base_url", "baseUrl"}, {"uid", "uid"}, {"domain", "domain"},
            {"timeout_ms", "timeout"}, {"refresh_margin_s", "refreshMargin"}, {"tls_roots", "tlsRoots"},
            {"ca_file", "caFile"}, {"proxy", "proxy"}, {"appid", "appid"}, {"secret", "secret"},
            {"aes_key", "aesKey"}, {"token_ttl_s", "tokenTtl"}, {"outer_instance_id", "outerInstanceId"},
            {"allow_insecure_http", "allowInsecureHttp"}, {"max_body_bytes", "maxBodyBytes"},
            {"state_file", "stateFile"}, {"max_users", "maxUsers"}, {"spk", "spk"}, {"secrit", "secrit"},
        };
        for (String[] s : settings) {
            SETTINGS.put(s[0], s[1]);
        }
        String[][] parameters = {
            {"path_and_query", "pathAndQuery"}, {"client_secret", "clientSecret"}, {"client_id", "clientId"},
            {"app_key", "appKey"}, {"app_secret", "appSecret"}, {"aes_key", "aesKey"}, {"user_type", "userType"},
            {"user_contain", "userContain"}, {"timestamp_ms", "timestampMs"}, {"content_type", "contentType"},
        };
        for (String[] p : parameters) {
            PARAMETERS.put(p[0], p[1]);
        }
        FUNCTIONS.put("erpauth_kingdee_string_to_sign", "Kingdee.stringToSign");
        FUNCTIONS.put("erpauth_kingdee_signature", "Kingdee.signature");
        FUNCTIONS.put("erpauth_kingdee_app_signature", "Kingdee.appSignature");
        FUNCTIONS.put("erpauth_kingdee_client_invalidate", "KingdeeClient.invalidate");
        FUNCTIONS.put("erpauth_weaver_client_invalidate", "WeaverClient.invalidate");
        FUNCTIONS.put("erpauth_kingdee_client_set_app_secret", "KingdeeClient.updateAppSecret");
        FUNCTIONS.put("set_app_secret", "KingdeeClient.updateAppSecret");
    }

    private static final Pattern CONFIG_KEY = Pattern.compile("\\b(Kingdee|Weaver REST|Weaver) config key \"(\\w+)\"");
    private static final Pattern QUOTED_KEY = Pattern.compile("\"(\\w+)\"");
    private static final Pattern SNAKE_WORD = Pattern.compile("\\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\\b");

    private ErrorText() {}

    static String builderClass(String what) {
        switch (what) {
            case "Kingdee": return "KingdeeClient.Builder";
            case "Weaver REST": return "WeaverRestClient.Builder";
            default: return "WeaverClient.Builder";
        }
    }

    /**
     * The message of a failed call, with the server's words (if any) kept verbatim.
     *
     * @param builder the builder class of the client being created ({@code "KingdeeClient.Builder"}),
     *     whose settings a bare key then names; {@code null} for any other call
     */
    static String translate(Status status, String message, String builder) {
        if (status == Status.REJECTED) {
            String words = new ErpAuthException(status, message).getServerMessage();
            int at = words == null ? -1 : message.lastIndexOf(words);
            if (at >= 0) {
                int end = at + words.length();
                return translate(message.substring(0, at), null) + words + translate(message.substring(end), null);
            }
        }
        return translate(message, builder);
    }

    static String translate(String message, String builder) {
        boolean config = message.contains(" config") || builder != null;
        StringBuffer out = new StringBuffer();
        Matcher key = CONFIG_KEY.matcher(message);
        while (key.find()) {
            String setting = SETTINGS.get(key.group(2));
            String replacement = setting == null ? key.group() : builderClass(key.group(1)) + "." + setting + "(...)";
            key.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        key.appendTail(out);
        String text = out.toString();
        if (config) {
            out = new StringBuffer();
            Matcher quoted = QUOTED_KEY.matcher(text);
            while (quoted.find()) {
                String setting = SETTINGS.get(quoted.group(1));
                quoted.appendReplacement(out, Matcher.quoteReplacement(setting == null ? quoted.group() : setting + "(...)"));
            }
            quoted.appendTail(out);
            if (builder == null) {
                return out.toString();
            }
            text = out.toString();
            out = new StringBuffer();
            Matcher bare = SNAKE_WORD.matcher(text);
            while (bare.find()) {
                String setting = SETTINGS.get(bare.group());
                bare.appendReplacement(out, Matcher.quoteReplacement(
                        setting == null ? bare.group() : builder + "." + setting + "(...)"));
            }
            bare.appendTail(out);
            return out.toString();
        }
        out = new StringBuffer();
        Matcher word = SNAKE_WORD.matcher(text);
        while (word.find()) {
            String w = word.group();
            String name = FUNCTIONS.get(w);
            if (name == null) {
                name = PARAMETERS.get(w);
            }
            if (name == null) {
                name = SETTINGS.get(w);
            }
            word.appendReplacement(out, Matcher.quoteReplacement(name == null ? w : name));
        }
        word.appendTail(out);
        return out.toString();
    }
}
