using System;
using System.Reflection;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>What a .NET Framework host sees of the assembly: its version and strong name.</summary>
    [TestFixture]
    public class AssemblyIdentityTests
    {
        private static readonly Assembly Binding = typeof(Library).Assembly;

        [Test]
        public void AssemblyVersionIsTheNativeLibrarysVersion()
        {
            // Both come from one release: a binding packed with another library's version would
            // load and then disagree with it about the ABI.
            Assert.AreEqual(new Version(Library.Version + ".0"), Binding.GetName().Version);
            var informational = (AssemblyInformationalVersionAttribute)Attribute.GetCustomAttribute(
                Binding, typeof(AssemblyInformationalVersionAttribute));
            Assert.AreEqual(Library.Version, informational.InformationalVersion);
        }

        [Test]
        public void StrongNamedWithTheProjectKey()
        {
            byte[] token = Binding.GetName().GetPublicKeyToken();
            Assert.AreEqual("bc5563ed3a0c4205", BitConverter.ToString(token).Replace("-", "").ToLowerInvariant());
        }
    }
}
