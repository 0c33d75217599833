using System;

/// <summary>
/// Run in a child Mono process by LoadingTests, from a directory laid out as a test needs: prints
/// the loaded library's location and a signature, or the load error, twice, to show that a
/// failure is reported the same way on every call.
/// </summary>
public static class LoaderProbe
{
    public static int Main()
    {
        for (int i = 0; i < 2; i++)
        {
            try
            {
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
