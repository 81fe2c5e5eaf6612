using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Runs an asynchronous reader in the background and hands its objects, as pages arrive, to the
    /// thread that enumerates <see cref="Consume"/> (a cmdlet's pipeline thread, the only one allowed
    /// to write output). At most <c>capacity</c> objects wait in between, so a 100,000-user org is
    /// never held in memory. Disposing stops the reader (a downstream <c>Select -First</c>, Ctrl+C).
    /// </summary>
    public sealed class ReadStream<T> : IDisposable
    {
        private readonly BlockingCollection<T> _items;
        private readonly CancellationTokenSource _cancel;
        private readonly Task _producer;

        private ReadStream(Func<Action<T>, CancellationToken, Task> produce, CancellationToken ct, int capacity)
        {
            _items = new BlockingCollection<T>(capacity);
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            CancellationToken token = _cancel.Token;
            _producer = Task.Run(async () =>
            {
                try
                {
                    await produce(item => _items.Add(item, token), token).ConfigureAwait(false);
                }
                finally
                {
                    _items.CompleteAdding();
                }
            });
        }

        public static ReadStream<T> Start(Func<Action<T>, CancellationToken, Task> produce, CancellationToken ct, int capacity = 4000)
        {
            if (produce == null) throw new ArgumentNullException(nameof(produce));
            return new ReadStream<T>(produce, ct, capacity);
        }

        /// <summary>The objects in the order the reader produced them; then the reader's failure, if any, is thrown.</summary>
        public IEnumerable<T> Consume()
        {
            foreach (T item in _items.GetConsumingEnumerable(_cancel.Token)) yield return item;
            _producer.GetAwaiter().GetResult();
        }

        public void Dispose()
        {
            _cancel.Cancel();
            try { _producer.Wait(TimeSpan.FromSeconds(30)); }
            catch (AggregateException) { /* the reader stopped because we asked it to, or already failed and was reported */ }
            _cancel.Dispose();
            _items.Dispose();
        }
    }
}
