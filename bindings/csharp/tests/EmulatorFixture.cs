using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>
    /// The base of a fixture whose tests share one emulator: started before the first test,
    /// stopped after the last, and cleared of faults after each test, so that a fault one test
    /// set never reaches the next.
    /// </summary>
    public abstract class EmulatorFixture
    {
        /// <summary>The fixture's emulator (a field: an internal type cannot be protected here).</summary>
        internal Emulator emulator;

        [TestFixtureSetUp]
        public void StartEmulator()
        {
            emulator = Emulator.Start();
        }

        [TestFixtureTearDown]
        public void StopEmulator()
        {
            if (emulator != null)
            {
                emulator.Dispose();
            }
        }

        [TearDown]
        public void ClearFaults()
        {
            emulator.ClearFaults();
        }
    }
}
