namespace ErpAuth
{
    /// <summary>Owns one native <c>erpauth_kingdee_signer*</c>.</summary>
    internal sealed class KingdeeSignerHandle : NativeHandle
    {
        /// <summary>Called by the marshaller for the <c>out</c> parameter of <c>erpauth_kingdee_signer_new</c>.</summary>
        public KingdeeSignerHandle()
        {
        }

        protected override bool ReleaseHandle()
        {
            // Also wipes the expanded key from native memory.
            NativeMethods.erpauth_kingdee_signer_free(handle);
            return true;
        }
    }

    /// <summary>Owns one native <c>erpauth_weaver_signer*</c>.</summary>
    internal sealed class WeaverSignerHandle : NativeHandle
    {
        /// <summary>Called by the marshaller for the <c>out</c> parameter of <c>erpauth_weaver_signer_new</c>.</summary>
        public WeaverSignerHandle()
        {
        }

        protected override bool ReleaseHandle()
        {
            // Also wipes the digest and AES key schedule from native memory.
            NativeMethods.erpauth_weaver_signer_free(handle);
            return true;
        }
    }
}
