using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ErpAuth
{
    /// <summary>Facts about the native library, and where to find it.</summary>
    public static class Library
    {
        /// <summary>The environment variable that names the native library file, or the directory holding it.</summary>
        public const string PathVariable = "ERPAUTH_LIBRARY_PATH";

        private static volatile string nativeLibraryPath;

        /// <summary>The native library's version, e.g. <c>"0.1.0"</c>.</summary>
        public static string Version
        {
            get { return Interop.Version(); }
        }

        /// <summary>
        /// The native library to load: the file itself (<c>erpauth.dll</c>, <c>liberpauth.so</c>)
        /// or the directory holding it. Takes precedence over the environment variable
        /// <see cref="PathVariable"/>; when either is set, nothing else is tried, so a wrong value
        /// fails loudly instead of quietly loading another copy. Set it before the first call
        /// into the binding: the library is loaded once per process.
        /// </summary>
        public static string NativeLibraryPath
        {
            get { return nativeLibraryPath; }
            set { nativeLibraryPath = value; }
        }

        /// <summary>
        /// The file the native library was loaded from, when the platform can tell (Windows and
        /// Linux); null elsewhere. Useful in a support ticket.
        /// </summary>
        public static string Location
        {
            get
            {
                Interop.EnsureLoaded();
                return NativeLibraryLoader.LoadedFile();
            }
        }
    }

    /// <summary>What a library file's header says it was built for.</summary>
    internal sealed class BinaryKind
    {
        /// <summary>E.g. "a Windows x86 (32-bit) DLL".</summary>
        internal readonly string Description;

        /// <summary>The .NET runtime identifier it serves, e.g. "win-x86"; null when there is none.</summary>
        internal readonly string Rid;

        internal BinaryKind(string description, string rid)
        {
            Description = description;
            Rid = rid;
        }

        public override string ToString()
        {
            return Rid == null ? Description : Description + " (" + Rid + ")";
        }
    }

    /// <summary>
    /// Finds and loads the native library before the first P/Invoke, so that
    /// <list type="bullet">
    /// <item>a DLL beside ErpAuth.dll, or in its <c>x64\</c> / <c>x86\</c> folder matching the
    /// process's bitness, or in <c>runtimes\win-x64\native\</c> copied as is, is found on .NET
    /// Framework (which otherwise searches only the application's directory, system directories
    /// and PATH, and misses add-in and plug-in folders). Windows then resolves the
    /// <c>[DllImport("erpauth")]</c> to the module already loaded;</item>
    /// <item><see cref="Library.NativeLibraryPath"/> or <c>ERPAUTH_LIBRARY_PATH</c> selects the file
    /// (on Linux the library's SONAME, <c>liberpauth.so</c>, makes the runtime bind to the copy
    /// loaded here);</item>
    /// <item>a file of the wrong architecture (a 32-bit DLL in a 64-bit process, an aarch64
    /// <c>.so</c> on x86-64) is reported as such, and a library that cannot be found or loaded
    /// gives one message naming the process's bitness, the platform and every path tried,
    /// instead of a bare <see cref="DllNotFoundException"/> or <see cref="BadImageFormatException"/>.</item>
    /// </list>
    /// </summary>
    internal static class NativeLibraryLoader
    {
        internal const string WindowsFileName = "erpauth.dll";
        internal const string LinuxFileName = "liberpauth.so";
        internal const string MacFileName = "liberpauth.dylib";

        // Lets erpauth.dll's own dependencies resolve from its directory too.
        private const uint LoadWithAlteredSearchPath = 0x00000008;
        private const int RtldNow = 2;
        private const int RtldGlobal = 0x100;

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true, ExactSpelling = true)]
        private static extern IntPtr LoadLibraryExW(string fileName, IntPtr reserved, uint flags);

        [DllImport("kernel32", CharSet = CharSet.Unicode, ExactSpelling = true)]
        private static extern IntPtr GetModuleHandleW(string moduleName);

        [DllImport("kernel32", CharSet = CharSet.Unicode, ExactSpelling = true)]
        private static extern uint GetModuleFileNameW(IntPtr module, [Out] char[] fileName, uint size);

        [DllImport("libdl.so.2", EntryPoint = "dlopen")]
        private static extern IntPtr DlOpen(byte[] fileName, int flags);

        [DllImport("libdl.so.2", EntryPoint = "dlerror")]
        private static extern IntPtr DlError();

        /// <summary>The process's platform, as the facts the probing depends on.</summary>
        internal struct Platform
        {
            internal bool Windows;
            internal bool Linux;
            internal bool Is64Bit;

            /// <summary>The .NET runtime identifier of the process, e.g. "win-x86", "linux-x64".</summary>
            internal string Rid;

            internal string FileName
            {
                get { return Windows ? WindowsFileName : Linux ? LinuxFileName : MacFileName; }
            }

            /// <summary>E.g. "a 32-bit process on Windows (win-x86)".</summary>
            public override string ToString()
            {
                string os = Windows ? "Windows" : Linux ? "Linux" : "macOS";
                return "a " + (Is64Bit ? "64" : "32") + "-bit process on " + os + " (" + Rid + ")";
            }
        }

        /// <summary>The outcome of the one load: null when the library is usable, else the reason.</summary>
        private static readonly string Failure = Load();

        /// <summary>Throws the load failure, the same on every call; nothing once the library works.</summary>
        internal static void EnsureLoaded()
        {
            if (Failure != null)
            {
                throw new DllNotFoundException(Failure);
            }
        }

        internal static Platform Current()
        {
            var platform = new Platform();
            PlatformID id = Environment.OSVersion.Platform;
            platform.Windows = id == PlatformID.Win32NT;
            // Mono reports macOS as Unix too; /System/Library exists only there.
            platform.Linux = !platform.Windows && id != PlatformID.MacOSX && !Directory.Exists("/System/Library/Frameworks");
            platform.Is64Bit = Environment.Is64BitProcess;
            string arch;
            if (platform.Linux)
            {
                // The process's own executable says what machine it runs as (x64, arm64, ...).
                BinaryKind self = BuiltFor("/proc/self/exe");
                arch = self != null && self.Rid != null ? self.Rid.Substring("linux-".Length) : (platform.Is64Bit ? "x64" : "x86");
            }
            else
            {
                arch = platform.Is64Bit ? "x64" : "x86";
            }
            platform.Rid = (platform.Windows ? "win-" : platform.Linux ? "linux-" : "osx-") + arch;
            return platform;
        }

        /// <summary>
        /// Where to look, in order. With a configured path only that file (or the library in
        /// that directory). Otherwise, for each base directory (ErpAuth.dll's, then the
        /// application's): on Windows the <c>x64\</c> or <c>x86\</c> folder matching the
        /// process's bitness, the directory itself, and the NuGet <c>runtimes\win-*\native\</c>
        /// folder; elsewhere the directory and <c>runtimes/&lt;rid&gt;/native/</c>. The bitness
        /// folder comes before the directory itself because an SDK-style net4x project with a
        /// RuntimeIdentifier (win7-x86 by default for an Exe) also gets that one runtime's DLL
        /// beside the assembly, which is the wrong one for an AnyCPU process of the other bitness.
        /// </summary>
        internal static List<string> Candidates(Platform platform, IList<string> baseDirectories, string configured)
        {
            var paths = new List<string>();
            if (!string.IsNullOrEmpty(configured))
            {
                paths.Add(Directory.Exists(configured) ? Path.Combine(configured, platform.FileName) : configured);
                return paths;
            }
            string nativeFolder = Path.Combine(Path.Combine("runtimes", platform.Rid), "native");
            string[] subdirectories = platform.Windows
                ? new[] { platform.Is64Bit ? "x64" : "x86", string.Empty, nativeFolder }
                : new[] { string.Empty, nativeFolder };
            foreach (string directory in baseDirectories)
            {
                foreach (string subdirectory in subdirectories)
                {
                    string path = Path.Combine(Path.Combine(directory, subdirectory), platform.FileName);
                    if (!paths.Contains(path))
                    {
                        paths.Add(path);
                    }
                }
            }
            return paths;
        }

        /// <summary>The configured library: <see cref="Library.NativeLibraryPath"/>, else <c>ERPAUTH_LIBRARY_PATH</c>.</summary>
        internal static string Configured()
        {
            string path = Library.NativeLibraryPath;
            if (string.IsNullOrEmpty(path))
            {
                path = Environment.GetEnvironmentVariable(Library.PathVariable);
            }
            return string.IsNullOrEmpty(path) ? null : path;
        }

        private static string Load()
        {
            Platform platform = Current();
            string configured = Configured();
            var tried = new List<string>();
            bool loaded = false;
            foreach (string path in Candidates(platform, BaseDirectories(), configured))
            {
                string problem = TryPreload(platform, path);
                if (problem == null)
                {
                    loaded = true;
                    break;
                }
                tried.Add(path + ": " + problem);
            }
            if (configured != null && !loaded)
            {
                return FailureMessage(platform, tried, null, "the setting is wrong");
            }
            string runtimeError = null;
            try
            {
                FirstCall();
            }
            catch (DllNotFoundException e)
            {
                runtimeError = OneLine(e.Message);
            }
            catch (BadImageFormatException e)
            {
                runtimeError = "wrong architecture for " + platform + ": " + OneLine(e.Message);
            }
            catch (EntryPointNotFoundException e)
            {
                runtimeError = "it is not erpauth's library, or an older one: " + OneLine(e.Message);
            }
            if (runtimeError != null)
            {
                return FailureMessage(platform, tried, runtimeError, null);
            }
            if (configured != null && platform.Linux)
            {
                // The runtime may have bound [DllImport] to another copy (one beside ErpAuth.dll,
                // which Mono tries first): two copies would keep two last errors, so refuse.
                string used = LoadedFile();
                string wanted = Path.GetFullPath(Candidates(platform, null, configured)[0]);
                if (used != null && used != wanted)
                {
                    return "erpauth: " + Library.PathVariable + " / Library.NativeLibraryPath names " + wanted
                        + " but the runtime bound to " + used + " (" + platform
                        + "): remove that copy or the setting";
                }
            }
            return null;
        }

        /// <summary>
        /// The first P/Invoke, in a method of its own: Mono binds a [DllImport] when it compiles
        /// the calling method, which must come after the preload above, not before it.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void FirstCall()
        {
            NativeMethods.erpauth_version();
        }

        /// <summary>
        /// The one-line failure: the process, each path tried and why, the runtime's own words,
        /// and how to fix it.
        /// </summary>
        internal static string FailureMessage(Platform platform, IList<string> tried, string runtimeError, string reason)
        {
            var parts = new List<string>(tried);
            if (runtimeError != null)
            {
                parts.Add("the runtime's own search (PATH, LD_LIBRARY_PATH, system directories): " + runtimeError);
            }
            string fix = platform.Windows
                ? "Put the " + platform.Rid + " " + platform.FileName + " in the " + (platform.Is64Bit ? "x64" : "x86")
                  + " folder beside ErpAuth.dll (the NuGet package does this), or"
                : "The NuGet package carries linux-x64, linux-arm64, win-x64 and win-x86; for " + platform.Rid
                  + " build the library (cargo build --release) and";
            return "erpauth: cannot load the native library " + platform.FileName + " in " + platform
                + (reason != null ? " (" + reason + ")" : string.Empty)
                + ". Tried: " + (parts.Count == 0 ? "nothing" : string.Join("; ", parts.ToArray())) + ". "
                + fix + " set ErpAuth.Library.NativeLibraryPath or " + Library.PathVariable + " to its path";
        }

        /// <summary>Loads one candidate by its full path; null on success, else why it was passed over.</summary>
        private static string TryPreload(Platform platform, string path)
        {
            if (!File.Exists(path))
            {
                return "no such file";
            }
            BinaryKind kind = BuiltFor(path);
            string mismatch = Mismatch(platform, kind);
            if (mismatch != null)
            {
                return mismatch;
            }
            if (platform.Windows)
            {
                if (LoadLibraryExW(path, IntPtr.Zero, LoadWithAlteredSearchPath) != IntPtr.Zero)
                {
                    return null;
                }
                return "LoadLibraryEx failed with Windows error " + Marshal.GetLastWin32Error();
            }
            if (platform.Linux)
            {
                if (DlOpen(Utf8.ToNative(Path.GetFullPath(path), "path"), RtldNow | RtldGlobal) != IntPtr.Zero)
                {
                    return null;
                }
                IntPtr error = DlError();
                return error == IntPtr.Zero ? "dlopen failed" : OneLine(Marshal.PtrToStringAnsi(error));
            }
            // macOS: the runtime looks beside the assembly itself; a file found is left to it.
            return null;
        }

        /// <summary>Why a file of <paramref name="kind"/> cannot serve this process; null when it can (or is unknown).</summary>
        internal static string Mismatch(Platform platform, BinaryKind kind)
        {
            if (kind == null || kind.Rid == null || kind.Rid == platform.Rid)
            {
                return null;
            }
            return "wrong architecture: it is " + kind + ", and " + platform + " needs a "
                + platform.Rid + " " + platform.FileName;
        }

        /// <summary>The ELF e_machine / PE Machine / Mach-O CPU type of a file's header; null when unreadable or none of those.</summary>
        internal static BinaryKind BuiltFor(string path)
        {
            byte[] h = new byte[4096];
            int length = 0;
            try
            {
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                {
                    int n;
                    while (length < h.Length && (n = stream.Read(h, length, h.Length - length)) > 0)
                    {
                        length += n;
                    }
                }
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
            return BuiltFor(h, length);
        }

        internal static BinaryKind BuiltFor(byte[] h, int length)
        {
            if (length >= 20 && h[0] == 0x7f && h[1] == (byte)'E' && h[2] == (byte)'L' && h[3] == (byte)'F')
            {
                int machine = h[5] == 2 ? (h[18] << 8 | h[19]) : (h[18] | h[19] << 8);
                switch (machine)
                {
                    case 62: return new BinaryKind("a Linux x86-64 library", "linux-x64");
                    case 183: return new BinaryKind("a Linux aarch64 library", "linux-arm64");
                    case 3: return new BinaryKind("a Linux x86 (32-bit) library", "linux-x86");
                    case 40: return new BinaryKind("a Linux ARM (32-bit) library", "linux-arm");
                    default: return new BinaryKind("an ELF library for machine type " + machine, null);
                }
            }
            if (length >= 64 && h[0] == (byte)'M' && h[1] == (byte)'Z')
            {
                int pe = BitConverter.ToInt32(h, 0x3c);
                if (pe >= 0 && pe + 6 <= length && h[pe] == (byte)'P' && h[pe + 1] == (byte)'E' && h[pe + 2] == 0 && h[pe + 3] == 0)
                {
                    // A managed assembly (ErpAuth.dll given by mistake, say) is an x86 PE too; its
                    // CLR header, data directory 14 of the optional header, tells it apart.
                    int optional = pe + 24;
                    int magic = optional + 2 <= length ? h[optional] | h[optional + 1] << 8 : 0;
                    int directories = magic == 0x10b ? optional + 96 : magic == 0x20b ? optional + 112 : -1;
                    int clr = directories + 14 * 8;
                    if (directories > 0 && clr + 8 <= length && BitConverter.ToInt32(h, clr) != 0)
                    {
                        return new BinaryKind("a .NET assembly, not a native library", null);
                    }
                    int machine = h[pe + 4] | h[pe + 5] << 8;
                    switch (machine)
                    {
                        case 0x8664: return new BinaryKind("a Windows x64 DLL", "win-x64");
                        case 0x14c: return new BinaryKind("a Windows x86 (32-bit) DLL", "win-x86");
                        case 0xaa64: return new BinaryKind("a Windows ARM64 DLL", "win-arm64");
                        default: return new BinaryKind("a Windows DLL for machine type 0x" + machine.ToString("x"), null);
                    }
                }
                return null;
            }
            if (length >= 8)
            {
                uint magic = BitConverter.ToUInt32(h, 0);
                if (magic == 0xfeedfacf || magic == 0xfeedface)
                {
                    uint cpu = BitConverter.ToUInt32(h, 4);
                    if (cpu == 0x01000007)
                    {
                        return new BinaryKind("a macOS x86-64 library", "osx-x64");
                    }
                    if (cpu == 0x0100000c)
                    {
                        return new BinaryKind("a macOS arm64 library", "osx-arm64");
                    }
                    return new BinaryKind("a macOS library for CPU type 0x" + cpu.ToString("x"), null);
                }
            }
            return null;
        }

        /// <summary>The file the loaded native library came from (Windows, Linux); null when unknown.</summary>
        internal static string LoadedFile()
        {
            Platform platform = Current();
            if (platform.Windows)
            {
                IntPtr module = GetModuleHandleW(WindowsFileName);
                if (module == IntPtr.Zero)
                {
                    return null;
                }
                var buffer = new char[32768];
                uint length = GetModuleFileNameW(module, buffer, (uint)buffer.Length);
                return length == 0 ? null : new string(buffer, 0, (int)length);
            }
            if (platform.Linux)
            {
                // Each mapping line ends with the mapped file's path.
                try
                {
                    foreach (string line in File.ReadAllLines("/proc/self/maps"))
                    {
                        int slash = line.IndexOf('/');
                        if (slash >= 0 && line.EndsWith("/" + LinuxFileName, StringComparison.Ordinal))
                        {
                            return line.Substring(slash);
                        }
                    }
                }
                catch (IOException)
                {
                }
            }
            return null;
        }

        private static List<string> BaseDirectories()
        {
            string location = null;
            string codeBase = null;
            try
            {
                location = typeof(NativeLibraryLoader).Assembly.Location;
#pragma warning disable 618
                codeBase = typeof(NativeLibraryLoader).Assembly.CodeBase;
#pragma warning restore 618
            }
            catch (NotSupportedException)
            {
                // Dynamic or in-memory assemblies have no location.
            }
            return ProbeDirectories(
                location, codeBase, AppDomain.CurrentDomain.BaseDirectory, AppDomain.CurrentDomain.RelativeSearchPath);
        }

        /// <summary>
        /// Where to look, in order: beside the assembly as loaded; beside it as deployed (under
        /// ASP.NET shadow copying <paramref name="assemblyLocation"/> is a copy in the shadow cache
        /// and <paramref name="codeBase"/> the application's <c>bin\</c>); the application domain's
        /// private bin paths (<paramref name="relativeSearchPath"/>, ';'-separated and relative to
        /// <paramref name="baseDirectory"/>: <c>bin</c> for an IIS application); the base directory.
        /// </summary>
        internal static List<string> ProbeDirectories(
            string assemblyLocation, string codeBase, string baseDirectory, string relativeSearchPath)
        {
            var candidates = new List<string>();
            if (!string.IsNullOrEmpty(assemblyLocation))
            {
                candidates.Add(Path.GetDirectoryName(assemblyLocation));
            }
            Uri codeBaseUri;
            if (!string.IsNullOrEmpty(codeBase) && Uri.TryCreate(codeBase, UriKind.Absolute, out codeBaseUri) && codeBaseUri.IsFile)
            {
                candidates.Add(Path.GetDirectoryName(codeBaseUri.LocalPath));
            }
            if (!string.IsNullOrEmpty(relativeSearchPath) && !string.IsNullOrEmpty(baseDirectory))
            {
                foreach (string relative in relativeSearchPath.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    candidates.Add(Path.Combine(baseDirectory, relative.Trim()));
                }
            }
            candidates.Add(baseDirectory);
            var directories = new List<string>(candidates.Count);
            foreach (string directory in candidates)
            {
                if (string.IsNullOrEmpty(directory))
                {
                    continue;
                }
                string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
                if (!directories.Contains(full))
                {
                    directories.Add(full);
                }
            }
            return directories;
        }

        private static string OneLine(string message)
        {
            return string.Join(" ", (message ?? string.Empty).Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
