using System.Reflection;

// Versioned and strong-named like ErpAuth.dll (see ../../src/AssemblyInfo.cs), which it references.
[assembly: AssemblyVersion("0.1.0.0")]
[assembly: AssemblyFileVersion("0.1.0.0")]
[assembly: AssemblyInformationalVersion("0.1.0")]
