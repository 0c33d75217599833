namespace ErpAuth
{
    /// <summary>Facts about the loaded native library.</summary>
    public static class Library
    {
        /// <summary>The native library's version, e.g. <c>"0.1.0"</c>.</summary>
        public static string Version
        {
            get { return Interop.Version(); }
        }
    }
}
