using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>Where the loader looks for the native library in ASP.NET and plug-in layouts.</summary>
    [TestFixture]
    public class ProbeTests
    {
        [Test]
        public void ShadowCopiedAssembliesAreProbedWhereTheyWereDeployedAndInThePrivateBinPath()
        {
            var directories = NativeLibraryLoader.ProbeDirectories(
                "/tmp/shadow/assembly/dl3/1a/ErpAuth.dll", "file:///srv/site/bin/ErpAuth.dll", "/srv/site/", "bin;extra");
            CollectionAssert.AreEqual(
                new[] { "/tmp/shadow/assembly/dl3/1a", "/srv/site/bin", "/srv/site/extra", "/srv/site" }, directories);
        }

        [Test]
        public void DuplicatesAndMissingPiecesAreLeftOut()
        {
            CollectionAssert.AreEqual(
                new[] { "/app" }, NativeLibraryLoader.ProbeDirectories("/app/ErpAuth.dll", "file:///app/ErpAuth.dll", "/app/", null));
            CollectionAssert.AreEqual(
                new[] { "/app" }, NativeLibraryLoader.ProbeDirectories(null, null, "/app", ""));
        }
    }
}
