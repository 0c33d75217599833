package io.github.erpauth;

/** Facts about the loaded native library. */
public final class ErpAuth {
    private ErpAuth() {}

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
