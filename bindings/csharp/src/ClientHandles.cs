namespace ErpAuth
{
    /// <summary>Owns one native <c>erpauth_kingdee_client*</c>.</summary>
    internal sealed class KingdeeClientHandle : NativeHandle
    {
        /// <summary>Called by the marshaller for the <c>out</c> parameter of <c>erpauth_kingdee_client_new</c>.</summary>
        public KingdeeClientHandle()
        {
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.erpauth_kingdee_client_free(handle);
            return true;
        }
    }

    /// <summary>Owns one native <c>erpauth_weaver_client*</c>.</summary>
    internal sealed class WeaverClientHandle : NativeHandle
    {
        /// <summary>Called by the marshaller for the <c>out</c> parameter of <c>erpauth_weaver_client_new</c>.</summary>
        public WeaverClientHandle()
        {
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.erpauth_weaver_client_free(handle);
            return true;
        }
    }

    /// <summary>Owns one native <c>erpauth_response*</c>, the answer of a business call.</summary>
    internal sealed class ResponseHandle : NativeHandle
    {
        /// <summary>Called by the marshaller for the <c>out</c> parameter of the <c>*_call</c> functions.</summary>
        public ResponseHandle()
        {
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.erpauth_response_free(handle);
            return true;
        }
    }

    /// <summary>Owns one native <c>erpauth_weaver_rest_client*</c>.</summary>
    internal sealed class WeaverRestClientHandle : NativeHandle
    {
        /// <summary>Called by the marshaller for the <c>out</c> parameter of <c>erpauth_weaver_rest_client_new</c>.</summary>
        public WeaverRestClientHandle()
        {
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.erpauth_weaver_rest_client_free(handle);
            return true;
        }
    }
}
