using System.Reflection;
using System.Runtime.CompilerServices;

// The assembly version follows the native library's (Cargo.toml); VersionTests checks that the two
// agree, so a release cannot ship one without the other.
[assembly: AssemblyVersion("0.1.0.0")]
[assembly: AssemblyFileVersion("0.1.0.0")]
[assembly: AssemblyInformationalVersion("0.1.0")]

// Strong-named with ErpAuth.snk (committed, as open-source .NET libraries do: the name is an
// identity that .NET Framework hosts and strong-named add-ins can reference, not a security
// boundary). The tests, signed with the same key, check the JSON writer and the UTF-8 conversion
// directly.
[assembly: InternalsVisibleTo("ErpAuth.Tests, PublicKey=002400000480000094000000060200000024000052534131000400000100010083a0558688910d08be909bb19479d0a8e8f2b80117176138ed02c8cc53fbedd754ac2d1a1386b85cb6b13d279f9c53b972ea985a9f65656679142df3844463e7e76342409dd54e672e03a5093c28d0dabbff7b5d3408ea94417f3ad5aee573eb4f7adc09e26cd9f0fb5836d9aa6a1cc94c3959f90747bab4a4e6c355679df896")]
