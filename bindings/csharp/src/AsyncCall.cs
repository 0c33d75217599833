using System;
using System.Threading;
using System.Threading.Tasks;

namespace ErpAuth
{
    /// <summary>
    /// Runs a blocking native call on the thread pool for the <c>*Async</c> methods.
    /// </summary>
    /// <remarks>
    /// The native library has no way to abandon a request half-way, so cancellation cannot stop
    /// a call that has started: a token cancelled before the call starts means it never starts;
    /// a token cancelled while it runs completes the returned task as cancelled at once, and the
    /// native call goes on in the background until it finishes or the client's
    /// <c>Timeout</c> ends it (a token it fetched is still cached for the next caller). Keep
    /// <c>Timeout</c> short if abandoned calls must not hold threads long.
    /// </remarks>
    internal static class AsyncCall
    {
        internal static Task<T> Run<T>(Func<T> call, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                var cancelled = new TaskCompletionSource<T>();
                cancelled.SetCanceled();
                return cancelled.Task;
            }
            Task<T> running = Task.Factory.StartNew(
                call, cancellationToken, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
            if (!cancellationToken.CanBeCanceled)
            {
                return running;
            }
            var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            CancellationTokenRegistration registration = cancellationToken.Register(() => result.TrySetCanceled());
            running.ContinueWith(
                t =>
                {
                    registration.Dispose();
                    if (t.IsFaulted)
                    {
                        result.TrySetException(t.Exception.InnerExceptions);
                    }
                    else if (t.IsCanceled)
                    {
                        result.TrySetCanceled();
                    }
                    else
                    {
                        result.TrySetResult(t.Result);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return result.Task;
        }
    }
}
