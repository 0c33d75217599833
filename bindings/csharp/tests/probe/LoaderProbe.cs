using System;

/// <summary>
/// Run in a child Mono process by LoadingTests, from a directory laid out as a test needs. Its
/// first call into the binding is the one named by the argument (each entry point must load the
/// library itself before the runtime binds any [DllImport]): "location" (the default) prints the
/// loaded library's location and a signature, "version" the version, "client" that the library refused a
/// client with an empty configuration; or the load error. Twice, to show that a failure is reported
/// the same way on every call.
/// Also run by LifecycleMidRunTests as "rest BASE_URL APPID STATE_FILE": a second process on the
/// Weaver REST state file the test's process registered with; prints "REGISTRATION {json}" and
/// "CALL status body" of one business call.
/// </summary>
public static class LoaderProbe
{
    public static int Main(string[] args)
    {
        string first = args.Length > 0 ? args[0] : "location";
        if (first == "rest")
        {
            using (var client = new ErpAuth.WeaverRestClient(new ErpAuth.WeaverRestClientOptions
            {
                BaseUrl = args[1], AppId = args[2], StateFile = args[3],
            }))
            {
                client.GetToken();
                ErpAuth.ErpAuthResponse echo = client.Call("POST", "/api/emulator/rest/echo", "{\"from\":\"child\"}", userId: "9");
                Console.WriteLine("REGISTRATION " + client.Register());
                Console.WriteLine("CALL " + echo.StatusCode + " " + echo.Text);
            }
            return 0;
        }
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
