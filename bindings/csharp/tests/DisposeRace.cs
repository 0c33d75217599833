using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>
    /// Disposing a handle while other threads use it: eight threads call until they get
    /// <see cref="ObjectDisposedException"/>, and the handle is disposed once all of them are
    /// running. Any other exception (a wrong result thrown by the call, a crash of the native
    /// side under a freed handle) fails the test.
    /// </summary>
    internal static class DisposeRace
    {
        private const int Threads = 8;

        /// <param name="call">One call by thread number <c>t</c>; throws to report a wrong result.</param>
        /// <param name="dispose">Disposes whatever <paramref name="call"/> uses.</param>
        internal static void Run(Action<int> call, Action dispose)
        {
            var started = new CountdownEvent(Threads);
            var outcomes = new List<string>();
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                started.Signal();
                try
                {
                    while (true)
                    {
                        call(t);
                    }
                }
                catch (ObjectDisposedException)
                {
                    lock (outcomes)
                    {
                        outcomes.Add("disposed");
                    }
                }
                catch (Exception e)
                {
                    lock (outcomes)
                    {
                        outcomes.Add(e.ToString());
                    }
                }
            })).ToList();
            threads.ForEach(th => th.Start());
            started.Wait();
            Thread.Sleep(5);
            dispose();
            threads.ForEach(th => Assert.IsTrue(th.Join(TimeSpan.FromSeconds(30))));
            CollectionAssert.AreEqual(Enumerable.Repeat("disposed", Threads).ToList(), outcomes);
        }
    }
}
