package io.github.erpauth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test class whose every test talks to an emulator of its own, started before the test and
 * stopped after it, so that no state (counters, faults, tokens) leaks between tests.
 */
abstract class EmulatorTest {
    Emulator emulator;

    @BeforeEach
    final void startEmulator() throws Exception {
        emulator = Emulator.start();
    }

    @AfterEach
    final void stopEmulator() throws Exception {
        emulator.close();
    }
}
