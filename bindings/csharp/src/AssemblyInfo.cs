using System.Runtime.CompilerServices;

// The tests check the JSON writer and the UTF-8 conversion directly.
[assembly: InternalsVisibleTo("ErpAuth.Tests")]
