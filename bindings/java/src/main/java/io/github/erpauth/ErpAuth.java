package io.github.erpauth;

/** Facts about the loaded native library. */
public final class ErpAuth {
    private ErpAuth() {}

    /**
     * Releases what this copy of erpauth holds, for an application that is being undeployed from
     * an application server (Tomcat, Resin, ...): frees every client and signer that was never
     * closed (later calls on them throw {@link IllegalStateException}) and stops the
     * {@code erpauth-cleaner} thread, so that the web application's class loader can be
     * collected. Call it from {@code ServletContextListener.contextDestroyed} (see the README).
     * Using erpauth again afterwards works: a new client starts a new cleaner thread.
     *
     * <p>The native library itself stays loaded until its class loader is collected: the JVM
     * cannot unload a library that loaded classes may still call.
     *
     * @return how many native handles were freed
     */
    public static int shutdown() {
        return HandleCleaner.shutdown();
    }

    /**
     * The native library's version, e.g. {@code "0.1.0"}.
     *
     * @throws UnsatisfiedLinkError if the native library cannot be loaded; the message lists
     *     every place that was tried
     */
    public static String version() {
        Natives.requireLoaded();
        return Natives.erpauth_version().getString(0, "UTF-8");
    }

    /**
     * Where the native library was loaded from: how it was found ({@code erpauth.library.path},
     * {@code jna.library.path}, {@code bundled <resource>} or {@code system}) and the file.
     * Useful in a support ticket.
     *
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static String libraryLocation() {
        return Natives.location();
    }
}
