package io.github.erpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfigJsonTest {
    @Test
    void escapingRoundTripsThroughAJsonParser() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 2000; round++) {
            StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                switch (random.nextInt(6)) {
                    case 0: s.append((char) random.nextInt(0x20)); break; // control characters
                    case 1: s.append("\"\\/".charAt(random.nextInt(3))); break;
                    case 2: s.append("中é😀\u2028\u007f".charAt(random.nextInt(6))); break;
                    default: s.append((char) (0x20 + random.nextInt(0x5f)));
                }
            }
            String value = s.toString();
            String json = new ConfigJson().put("k\"ey", value).put("n", 42).toJson();
            JsonObject parsed = JsonParser.parseString(json).getAsJsonObject();
            assertEquals(value, parsed.get("k\"ey").getAsString(), "seed " + seed + " round " + round + ": " + json);
            assertEquals(42, parsed.get("n").getAsLong());
        }
    }

    @Test
    void exactText() {
        assertEquals("{\"a\":\"x\\\"y\\\\z\\n\\u0001\",\"b\":-3}",
                new ConfigJson().put("a", "x\"y\\z\n\u0001").put("b", -3).toJson());
    }
}
