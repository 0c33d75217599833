using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>
    /// The package's build/net462/ErpAuth.targets, built for real: old-style .NET Framework 4.6.2
    /// projects (as packages.config creates them: a HintPath reference and an Import of the
    /// package's targets) compiled with Mono's xbuild against the package under test. The
    /// output must get the package's win-x64 DLL as x64\erpauth.dll and its win-x86 DLL as
    /// x86\erpauth.dll, also through a project reference, and no other native file.
    /// </summary>
    [TestFixture]
    public class PackageTargetsTests
    {
        private string temp;

        [SetUp]
        public void CreateTemp()
        {
            temp = Path.Combine(Path.GetTempPath(), "erpauth-targets-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(temp);
        }

        [TearDown]
        public void DeleteTemp()
        {
            Directory.Delete(temp, true);
        }

        private static string Project(string name, string outputType, string items, string imports)
        {
            return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<Project ToolsVersion=\"14.0\" DefaultTargets=\"Build\" xmlns=\"http://schemas.microsoft.com/developer/msbuild/2003\">\n"
                + "  <PropertyGroup>\n"
                + "    <Configuration Condition=\" '$(Configuration)' == '' \">Release</Configuration>\n"
                + "    <Platform Condition=\" '$(Platform)' == '' \">AnyCPU</Platform>\n"
                + "    <OutputType>" + outputType + "</OutputType>\n"
                + "    <AssemblyName>" + name + "</AssemblyName>\n"
                + "    <TargetFrameworkVersion>v4.6.2</TargetFrameworkVersion>\n"
                + "    <OutputPath>bin\\Release\\</OutputPath>\n"
                + "  </PropertyGroup>\n"
                + "  <ItemGroup>\n    <Reference Include=\"System\" />\n" + items + "  </ItemGroup>\n"
                + "  <Import Project=\"$(MSBuildToolsPath)\\Microsoft.CSharp.targets\" />\n"
                + imports
                + "</Project>\n";
        }

        /// <summary>What packages.config puts into a project for the package in ..\packages\ErpAuth.</summary>
        private static readonly string PackageReference =
            "    <Reference Include=\"ErpAuth\"><HintPath>..\\packages\\ErpAuth\\lib\\net462\\ErpAuth.dll</HintPath></Reference>\n";

        private static readonly string PackageImport =
            "  <Import Project=\"..\\packages\\ErpAuth\\build\\net462\\ErpAuth.targets\" "
            + "Condition=\"Exists('..\\packages\\ErpAuth\\build\\net462\\ErpAuth.targets')\" />\n";

        private void CopyPackage()
        {
            string to = Path.Combine(temp, "packages", "ErpAuth");
            foreach (string file in Directory.GetFiles(PackageUnderTest.Directory, "*", SearchOption.AllDirectories))
            {
                string target = Path.Combine(to, file.Substring(PackageUnderTest.Directory.Length).TrimStart('/'));
                Directory.CreateDirectory(Path.GetDirectoryName(target));
                File.Copy(file, target);
            }
        }

        private string Write(string relative, string text)
        {
            string path = Path.Combine(temp, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path));
            File.WriteAllText(path, text);
            return path;
        }

        private static void XBuild(string project)
        {
            var start = new ProcessStartInfo("xbuild", "/nologo /verbosity:minimal \"" + project + "\"")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(project),
            };
            using (Process process = Process.Start(start))
            {
                string error = null;
                var stderr = new System.Threading.Thread(() => error = process.StandardError.ReadToEnd());
                stderr.Start();
                string output = process.StandardOutput.ReadToEnd();
                Assert.IsTrue(process.WaitForExit(180000), "xbuild hung");
                stderr.Join();
                Assert.AreEqual(0, process.ExitCode, "xbuild " + project + " failed:\n" + output + error);
            }
        }

        /// <summary>The output holds the managed files, x64\erpauth.dll and x86\erpauth.dll from the package, nothing else native.</summary>
        private void AssertOutput(string outputDirectory, params string[] assemblies)
        {
            string[] files = Directory.GetFiles(outputDirectory, "*", SearchOption.AllDirectories)
                .Select(f => f.Substring(outputDirectory.Length + 1))
                .Where(f => !f.EndsWith(".mdb") && !f.EndsWith(".pdb"))
                .OrderBy(f => f, StringComparer.Ordinal).ToArray();
            CollectionAssert.AreEqual(
                assemblies.Concat(new[] { "x64/erpauth.dll", "x86/erpauth.dll" }).OrderBy(f => f, StringComparer.Ordinal).ToArray(),
                files);
            CollectionAssert.AreEqual(File.ReadAllBytes(PackageUnderTest.File("runtimes/win-x64/native/erpauth.dll")),
                File.ReadAllBytes(Path.Combine(outputDirectory, "x64", "erpauth.dll")), "x64/erpauth.dll");
            CollectionAssert.AreEqual(File.ReadAllBytes(PackageUnderTest.File("runtimes/win-x86/native/erpauth.dll")),
                File.ReadAllBytes(Path.Combine(outputDirectory, "x86", "erpauth.dll")), "x86/erpauth.dll");
        }

        [Test]
        public void APackagesConfigApplicationGetsBothWindowsLibraries()
        {
            CopyPackage();
            Write("App/Program.cs", "class P { static void Main() { System.Console.WriteLine(ErpAuth.Library.Version); } }\n");
            string project = Write("App/App.csproj", Project("App", "Exe",
                PackageReference + "    <Compile Include=\"Program.cs\" />\n", PackageImport));
            XBuild(project);
            AssertOutput(Path.Combine(temp, "App", "bin", "Release"), "App.exe", "ErpAuth.dll");
        }

        /// <summary>
        /// A class library (a Kingdee plug-in, say) references the package; the application that
        /// references the library gets the DLLs too.
        /// </summary>
        [Test]
        public void AnApplicationReferencingALibraryThatUsesThePackageGetsThemToo()
        {
            CopyPackage();
            Write("Plugin/Plugin.cs", "public static class Plugin { public static string V() { return ErpAuth.Library.Version; } }\n");
            Write("Plugin/Plugin.csproj", Project("Plugin", "Library",
                PackageReference + "    <Compile Include=\"Plugin.cs\" />\n", PackageImport));
            Write("Host/Host.cs", "class H { static void Main() { System.Console.WriteLine(Plugin.V()); } }\n");
            string host = Write("Host/Host.csproj", Project("Host", "Exe",
                "    <Compile Include=\"Host.cs\" />\n    <ProjectReference Include=\"..\\Plugin\\Plugin.csproj\"><Name>Plugin</Name></ProjectReference>\n",
                string.Empty));
            XBuild(host);
            AssertOutput(Path.Combine(temp, "Plugin", "bin", "Release"), "ErpAuth.dll", "Plugin.dll");
            AssertOutput(Path.Combine(temp, "Host", "bin", "Release"), "ErpAuth.dll", "Host.exe", "Plugin.dll");
        }

        [Test]
        public void BuildAndBuildTransitiveCarryTheSameRules()
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(PackageUnderTest.File("build/net462/ErpAuth.targets")),
                File.ReadAllBytes(PackageUnderTest.File("buildTransitive/net462/ErpAuth.targets")));
        }
    }
}
