using System;

/// <summary>
/// Run in a child Mono process by LoadingTests, from a directory laid out as a test needs. Its
/// first call into the binding is the one named by the argument (each entry point must load the
/// library itself before the runtime binds any [DllImport]): "location" (the default) prints the
/// loaded library's location and a signature, "version" the version, "client" that the library refused a
/// client with an empty configuration; or the load error. Twice, to show that a failure is reported
/// the same way on every call.
/// </summary>
public static class LoaderProbe
{
    public static int Main(string[] args)
    {
        string first = args.Length > 0 ? args[0] : "location";
        for (int i = 0; i < 2; i++)
        {
            try
            {
                if (first == "version")
                {
                    Console.WriteLine("VERSION " + ErpAuth.Library.Version);
                }
                else if (first == "client")
                {
                    try
                    {
                        new ErpAuth.WeaverClient(new ErpAuth.WeaverClientOptions()).Dispose();
                        Console.WriteLine("CLIENT created");
                    }
                    catch (ArgumentException)
                    {
                        // The library's refusal of the empty configuration (INVALID_ARGUMENT).
                        Console.WriteLine("CLIENT refused");
                    }
                }
                Console.WriteLine("LOCATION " + ErpAuth.Library.Location);
                Console.WriteLine("SIGNATURE " + ErpAuth.Kingdee.AppSignature("abc", "abc123"));
            }
            catch (DllNotFoundException e)
            {
                Console.WriteLine("ERROR " + e.Message);
            }
        }
        return 0;
    }
}
