using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>
    /// The NuGet package under test, extracted by run-tests.sh into ERPAUTH_PACKAGE_DIR: the
    /// libraries and the .targets these tests check are the ones the package carries.
    /// </summary>
    internal static class PackageUnderTest
    {
        internal static string Directory
        {
            get
            {
                string dir = Environment.GetEnvironmentVariable("ERPAUTH_PACKAGE_DIR");
                if (string.IsNullOrEmpty(dir) || !System.IO.Directory.Exists(dir))
                {
                    throw new DirectoryNotFoundException(
                        "ERPAUTH_PACKAGE_DIR (the extracted ErpAuth nupkg) is not set or missing: run bindings/csharp/run-tests.sh");
                }
                return dir;
            }
        }

        internal static string File(string relative)
        {
            string path = Path.Combine(Directory, relative.Replace('/', Path.DirectorySeparatorChar));
            Assert.IsTrue(System.IO.File.Exists(path), "the package has no " + relative);
            return path;
        }

        /// <summary>The package's native library of each runtime identifier.</summary>
        internal static readonly string[][] Natives =
        {
            new[] { "linux-x64", "runtimes/linux-x64/native/liberpauth.so" },
            new[] { "linux-arm64", "runtimes/linux-arm64/native/liberpauth.so" },
            new[] { "win-x64", "runtimes/win-x64/native/erpauth.dll" },
            new[] { "win-x86", "runtimes/win-x86/native/erpauth.dll" },
        };
    }

    /// <summary>
    /// Where <see cref="NativeLibraryLoader"/> looks and what it says when it cannot load: the
    /// probing order for each platform and bitness, the architecture read from a file's header,
    /// and, in child Mono processes, the whole load from each layout and each wrong setting.
    /// </summary>
    [TestFixture]
    public class LoadingTests
    {
        private const string AppSignature =
            "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==";

        private string temp;

        [SetUp]
        public void CreateTemp()
        {
            temp = Path.Combine(Path.GetTempPath(), "erpauth-loading-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(temp);
        }

        [TearDown]
        public void DeleteTemp()
        {
            Directory.Delete(temp, true);
        }

        private static NativeLibraryLoader.Platform Windows(bool is64Bit)
        {
            return new NativeLibraryLoader.Platform { Windows = true, Is64Bit = is64Bit, Rid = is64Bit ? "win-x64" : "win-x86" };
        }

        private static NativeLibraryLoader.Platform LinuxX64()
        {
            return new NativeLibraryLoader.Platform { Linux = true, Is64Bit = true, Rid = "linux-x64" };
        }

        private static string P(params string[] parts)
        {
            return parts.Aggregate(Path.Combine);
        }

        [Test]
        public void OnWindowsTheFolderOfTheProcesssBitnessComesFirst()
        {
            string plugin = P("app", "plugins"), app = "app";
            CollectionAssert.AreEqual(
                new[]
                {
                    P(plugin, "x64", "erpauth.dll"), P(plugin, "erpauth.dll"), P(plugin, "runtimes", "win-x64", "native", "erpauth.dll"),
                    P(app, "x64", "erpauth.dll"), P(app, "erpauth.dll"), P(app, "runtimes", "win-x64", "native", "erpauth.dll"),
                },
                NativeLibraryLoader.Candidates(Windows(true), new[] { plugin, app }, null));
            // A 32-bit process (x86, or AnyCPU with "Prefer 32-bit") never looks at x64\.
            CollectionAssert.AreEqual(
                new[] { P(app, "x86", "erpauth.dll"), P(app, "erpauth.dll"), P(app, "runtimes", "win-x86", "native", "erpauth.dll") },
                NativeLibraryLoader.Candidates(Windows(false), new[] { app }, null));
        }

        [Test]
        public void OnLinuxTheAssemblysFolderThenTheNuGetLayout()
        {
            CollectionAssert.AreEqual(
                new[] { P("app", "liberpauth.so"), P("app", "runtimes", "linux-x64", "native", "liberpauth.so") },
                NativeLibraryLoader.Candidates(LinuxX64(), new[] { "app", "app" }, null));
        }

        [Test]
        public void AConfiguredPathIsTheOnlyCandidateAsFileOrDirectory()
        {
            CollectionAssert.AreEqual(new[] { P(temp, "any.dll") },
                NativeLibraryLoader.Candidates(Windows(false), new[] { "app" }, P(temp, "any.dll")));
            CollectionAssert.AreEqual(new[] { P(temp, "erpauth.dll") },
                NativeLibraryLoader.Candidates(Windows(false), new[] { "app" }, temp));
            CollectionAssert.AreEqual(new[] { P(temp, "liberpauth.so") },
                NativeLibraryLoader.Candidates(LinuxX64(), new[] { "app" }, temp));
        }

        [Test]
        public void ThePackagesLibrariesAreEachBuiltForTheirRuntime()
        {
            foreach (string[] native in PackageUnderTest.Natives)
            {
                BinaryKind kind = NativeLibraryLoader.BuiltFor(PackageUnderTest.File(native[1]));
                Assert.IsNotNull(kind, native[1] + " is neither ELF nor PE");
                Assert.AreEqual(native[0], kind.Rid, native[1] + " is " + kind);
            }
            BinaryKind managed = NativeLibraryLoader.BuiltFor(PackageUnderTest.File("lib/net462/ErpAuth.dll"));
            Assert.AreEqual("a .NET assembly, not a native library", managed.ToString());
            Assert.IsNull(NativeLibraryLoader.BuiltFor(PackageUnderTest.File("build/net462/ErpAuth.targets")));
            Assert.IsNull(NativeLibraryLoader.BuiltFor(P(temp, "absent")));
        }

        [Test]
        public void AWrongArchitectureSaysWhatTheFileIsAndWhatTheProcessNeeds()
        {
            BinaryKind x86 = NativeLibraryLoader.BuiltFor(PackageUnderTest.File("runtimes/win-x86/native/erpauth.dll"));
            BinaryKind x64 = NativeLibraryLoader.BuiltFor(PackageUnderTest.File("runtimes/win-x64/native/erpauth.dll"));
            Assert.AreEqual(
                "wrong architecture: it is a Windows x86 (32-bit) DLL (win-x86), and a 64-bit process on Windows (win-x64) needs a win-x64 erpauth.dll",
                NativeLibraryLoader.Mismatch(Windows(true), x86));
            Assert.AreEqual(
                "wrong architecture: it is a Windows x64 DLL (win-x64), and a 32-bit process on Windows (win-x86) needs a win-x86 erpauth.dll",
                NativeLibraryLoader.Mismatch(Windows(false), x64));
            Assert.IsNull(NativeLibraryLoader.Mismatch(Windows(true), x64));
            Assert.IsNull(NativeLibraryLoader.Mismatch(Windows(false), x86));
            BinaryKind arm = NativeLibraryLoader.BuiltFor(PackageUnderTest.File("runtimes/linux-arm64/native/liberpauth.so"));
            Assert.AreEqual(
                "wrong architecture: it is a Linux aarch64 library (linux-arm64), and a 64-bit process on Linux (linux-x64) needs a linux-x64 liberpauth.so",
                NativeLibraryLoader.Mismatch(LinuxX64(), arm));
        }

        [Test]
        public void TheFailureNamesTheProcessThePlatformAndEveryPathTried()
        {
            string message = NativeLibraryLoader.FailureMessage(Windows(false),
                new[] { @"C:\app\x86\erpauth.dll: no such file", @"C:\app\erpauth.dll: wrong architecture: ..." },
                "Unable to load DLL 'erpauth': The specified module could not be found.", null);
            Assert.AreEqual(
                @"erpauth: cannot load the native library erpauth.dll in a 32-bit process on Windows (win-x86). Tried: "
                + @"C:\app\x86\erpauth.dll: no such file; C:\app\erpauth.dll: wrong architecture: ...; "
                + "the runtime's own search (PATH, LD_LIBRARY_PATH, system directories): Unable to load DLL 'erpauth': "
                + @"The specified module could not be found.. Put the win-x86 erpauth.dll in the x86 folder beside ErpAuth.dll "
                + "(the NuGet package does this), or set ErpAuth.Library.NativeLibraryPath or ERPAUTH_LIBRARY_PATH to its path",
                message);
        }

        [Test]
        public void ThisProcessIsSeenAsWhatItIs()
        {
            NativeLibraryLoader.Platform platform = NativeLibraryLoader.Current();
            string machine = Run("uname", "-m", null, null).Trim();
            Assert.IsTrue(platform.Linux && !platform.Windows);
            Assert.AreEqual(Environment.Is64BitProcess, platform.Is64Bit);
            Assert.AreEqual(machine == "x86_64" ? "linux-x64" : machine == "aarch64" ? "linux-arm64" : machine, platform.Rid);
        }

        // ---- The whole load, in a child process laid out as a user would ------------------------

        /// <summary>A directory with ErpAuth.dll (the package's) and the probe, and whatever the test adds.</summary>
        private string AppDirectory(string name)
        {
            string dir = P(temp, name);
            Directory.CreateDirectory(dir);
            File.Copy(PackageUnderTest.File("lib/net462/ErpAuth.dll"), P(dir, "ErpAuth.dll"));
            string probe = P(Path.GetDirectoryName(typeof(LoadingTests).Assembly.Location), "LoaderProbe.exe");
            File.Copy(probe, P(dir, "LoaderProbe.exe"));
            return dir;
        }

        private static string CopyNative(string relative, string toDirectory)
        {
            Directory.CreateDirectory(toDirectory);
            string to = P(toDirectory, Path.GetFileName(relative));
            File.Copy(PackageUnderTest.File(relative), to);
            return to;
        }

        private static string[] Probe(string dir, string libraryPath, string firstCall = "location")
        {
            string output = Run("mono", "LoaderProbe.exe " + firstCall, dir, libraryPath);
            return output.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
        }

        private static string Run(string program, string arguments, string directory, string libraryPath)
        {
            var start = new ProcessStartInfo(program, arguments)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = directory ?? Environment.CurrentDirectory,
            };
            start.EnvironmentVariables.Remove("LD_LIBRARY_PATH");
            start.EnvironmentVariables.Remove(Library.PathVariable);
            if (libraryPath != null)
            {
                start.EnvironmentVariables[Library.PathVariable] = libraryPath;
            }
            using (Process process = Process.Start(start))
            {
                string error = null;
                var stderr = new System.Threading.Thread(() => error = process.StandardError.ReadToEnd());
                stderr.Start();
                string output = process.StandardOutput.ReadToEnd();
                Assert.IsTrue(process.WaitForExit(60000), program + " hung");
                stderr.Join();
                Assert.AreEqual(0, process.ExitCode, output + error);
                return output;
            }
        }

        private static void AssertLoadedFrom(string[] lines, string file)
        {
            Assert.AreEqual(4, lines.Length, string.Join("\n", lines));
            for (int i = 0; i < 4; i += 2)
            {
                Assert.AreEqual("LOCATION " + Path.GetFullPath(file), lines[i]);
                Assert.AreEqual("SIGNATURE " + AppSignature, lines[i + 1]);
            }
        }

        private static void AssertFailsWith(string[] lines, string expectedStart)
        {
            Assert.AreEqual(2, lines.Length, string.Join("\n", lines));
            foreach (string line in lines)
            {
                StringAssert.StartsWith("ERROR " + expectedStart, line);
                StringAssert.EndsWith("set ErpAuth.Library.NativeLibraryPath or ERPAUTH_LIBRARY_PATH to its path", line);
            }
        }

        [Test]
        public void BesideTheAssembly()
        {
            string dir = AppDirectory("beside");
            string lib = CopyNative("runtimes/linux-x64/native/liberpauth.so", dir);
            AssertLoadedFrom(Probe(dir, null), lib);
        }

        [Test]
        public void FromTheNuGetRuntimesFolderCopiedAsIs()
        {
            string dir = AppDirectory("runtimes");
            string lib = CopyNative("runtimes/linux-x64/native/liberpauth.so", P(dir, "runtimes", "linux-x64", "native"));
            AssertLoadedFrom(Probe(dir, null), lib);
        }

        /// <summary>
        /// Mono binds a [DllImport] when it compiles the calling method: whatever the first call
        /// into the binding is, the preload must come first. The runtimes/ layout needs the
        /// preload, so a binding made too early fails there.
        /// </summary>
        [Test]
        public void EveryKindOfFirstCallLoadsTheLibraryFirst()
        {
            string dir = AppDirectory("first-call");
            string lib = CopyNative("runtimes/linux-x64/native/liberpauth.so", P(dir, "runtimes", "linux-x64", "native"));
            string[] lines = Probe(dir, null, "version");
            Assert.AreEqual(6, lines.Length, string.Join("\n", lines));
            Assert.AreEqual("VERSION " + Library.Version, lines[0]);
            AssertLoadedFrom(lines.Where((line, i) => i % 3 != 0).ToArray(), lib);
            lines = Probe(dir, null, "client");
            Assert.AreEqual(6, lines.Length, string.Join("\n", lines));
            Assert.AreEqual("CLIENT refused", lines[0]);
            AssertLoadedFrom(lines.Where((line, i) => i % 3 != 0).ToArray(), lib);
        }

        [Test]
        public void FromTheConfiguredPathAsFileOrDirectory()
        {
            string dir = AppDirectory("configured");
            string lib = CopyNative("runtimes/linux-x64/native/liberpauth.so", P(temp, "elsewhere"));
            AssertLoadedFrom(Probe(dir, lib), lib);
            AssertLoadedFrom(Probe(dir, P(temp, "elsewhere")), lib);
        }

        [Test]
        public void NowhereSaysWhereItLookedOnEveryCall()
        {
            string dir = AppDirectory("nowhere");
            AssertFailsWith(Probe(dir, null),
                "erpauth: cannot load the native library liberpauth.so in a 64-bit process on Linux (linux-x64). Tried: "
                + P(dir, "liberpauth.so") + ": no such file; " + P(dir, "runtimes", "linux-x64", "native", "liberpauth.so")
                + ": no such file; the runtime's own search (PATH, LD_LIBRARY_PATH, system directories): ");
        }

        [Test]
        public void AConfiguredLibraryOfAnotherArchitectureIsReportedAsSuch()
        {
            // Also beside the assembly: the configured file is the only one tried, never this.
            string dir = AppDirectory("foreign");
            CopyNative("runtimes/linux-x64/native/liberpauth.so", dir);
            string arm = CopyNative("runtimes/linux-arm64/native/liberpauth.so", P(temp, "arm64"));
            AssertFailsWith(Probe(dir, arm),
                "erpauth: cannot load the native library liberpauth.so in a 64-bit process on Linux (linux-x64) "
                + "(the setting is wrong). Tried: " + arm + ": wrong architecture: it is a Linux aarch64 library "
                + "(linux-arm64), and a 64-bit process on Linux (linux-x64) needs a linux-x64 liberpauth.so. ");
            string x86 = CopyNative("runtimes/win-x86/native/erpauth.dll", P(temp, "win-x86"));
            AssertFailsWith(Probe(dir, x86),
                "erpauth: cannot load the native library liberpauth.so in a 64-bit process on Linux (linux-x64) "
                + "(the setting is wrong). Tried: " + x86 + ": wrong architecture: it is a Windows x86 (32-bit) DLL "
                + "(win-x86), and a 64-bit process on Linux (linux-x64) needs a linux-x64 liberpauth.so. ");
        }

        [Test]
        public void AConfiguredPathWithNoLibraryFailsLoudly()
        {
            string dir = AppDirectory("missing");
            CopyNative("runtimes/linux-x64/native/liberpauth.so", dir);
            string missing = P(temp, "nothing-here", "liberpauth.so");
            AssertFailsWith(Probe(dir, missing),
                "erpauth: cannot load the native library liberpauth.so in a 64-bit process on Linux (linux-x64) "
                + "(the setting is wrong). Tried: " + missing + ": no such file. ");
        }
    }
}
