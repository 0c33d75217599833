package io.github.erpauth;

/**
 * Run in a child JVM by {@link LibraryLoadingTest}: prints where the library came from, or
 * the error, twice, to show that a failure is reported the same way on every call.
 */
public final class LoaderProbe {
    private LoaderProbe() {}

    public static void main(String[] args) {
        for (int i = 0; i < 2; i++) {
            try {
                System.out.println("LOCATION " + ErpAuth.libraryLocation());
                System.out.println("SIGNATURE " + Kingdee.appSignature("abc", "abc123"));
            } catch (UnsatisfiedLinkError e) {
                System.out.println("ERROR " + e.getMessage());
            }
        }
    }
}
