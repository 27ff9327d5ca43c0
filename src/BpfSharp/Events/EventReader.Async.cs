using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace BpfSharp.Events;

// Async streams: a dedicated thread polls the reader and writes each record, converted, into a bounded
// channel that the enumerator reads. When the consumer falls behind, the channel fills, the thread waits,
// the kernel's buffer fills and the kernel drops new records: back-pressure ends where it must, in the kernel.
public abstract partial class EventReader
{
    /// <summary>The number of records an async stream buffers between the polling thread and the consumer.</summary>
    public const int DefaultStreamCapacity = 1024;

    /// <summary>
    /// Every record from now on as a <typeparamref name="T"/> (the record's first <c>sizeof(T)</c> bytes; a
    /// shorter record ends the stream with <see cref="BpfFormatException"/>). A dedicated thread polls while
    /// the stream is enumerated and at most <see cref="DefaultStreamCapacity"/> records wait in between.
    /// Cancellation throws <see cref="OperationCanceledException"/>; <see cref="Dispose"/> ends the stream after
    /// the records already buffered. Records go to one consumer: do not Poll while enumerating. Each record crosses a
    /// thread and a channel: <see cref="ReadBatchesAsync"/> is the zero-copy stream, at the span handlers' speed.
    /// </summary>
    public IAsyncEnumerable<T> ReadAllAsync<T>(CancellationToken cancellationToken = default) where T : unmanaged
        => ReadAllAsync<T>(DefaultStreamCapacity, cancellationToken);

    /// <inheritdoc cref="ReadAllAsync{T}(CancellationToken)"/>
    /// <param name="capacity">How many records may wait between the polling thread and the consumer.</param>
    public IAsyncEnumerable<T> ReadAllAsync<T>(int capacity, CancellationToken cancellationToken = default) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return StreamAsync<T, ValueConverter<T>>(capacity, cancellationToken);
    }

    /// <summary>Every record from now on, copied into a new array. See <see cref="ReadAllAsync{T}(CancellationToken)"/>.</summary>
    public IAsyncEnumerable<byte[]> ReadAllAsync(CancellationToken cancellationToken = default)
        => ReadAllAsync(DefaultStreamCapacity, cancellationToken);

    /// <inheritdoc cref="ReadAllAsync(CancellationToken)"/>
    public IAsyncEnumerable<byte[]> ReadAllAsync(int capacity, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return StreamAsync<byte[], ArrayConverter>(capacity, cancellationToken);
    }

    private async IAsyncEnumerable<TItem> StreamAsync<TItem, TConverter>(int capacity, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TConverter : IRecordConverter<TItem>
    {
        var channel = Channel.CreateBounded<TItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = new CancellationTokenSource();
        var pump = Task.Factory.StartNew(() => Pump<TItem, TConverter>(channel.Writer, stop.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return item;
        }
        finally
        {
            // The enumeration ended (completed, cancelled, or the consumer stopped early): stop the thread.
            await stop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
            // The wake that stopped it may still be pending; a later Poll should not return early for it.
            if (!IsDisposed && Resources.TryAddRef())
            {
                Waiter.ClearWake();
                Resources.DangerousRelease();
            }
        }
    }

    /// <summary>The polling thread: reports every failure through the channel, so it never throws.</summary>
    private void Pump<TItem, TConverter>(ChannelWriter<TItem> writer, CancellationToken stop)
        where TConverter : IRecordConverter<TItem>
    {
        Exception? error = null;
        try
        {
            using var registration = stop.UnsafeRegister(static state => ((EventReader)state!).Wake(), this);
            var handler = new ChannelHandler<TItem, TConverter>(writer, stop);
            while (!stop.IsCancellationRequested && !IsDisposed)
                Poll(Timeout.Infinite, ref handler);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (IsDisposed)
        {
        }
        catch (Exception e)
        {
            error = e;
        }
        writer.TryComplete(error);
    }

    /// <summary>Writes each record, converted, into the channel; blocks the polling thread while it is full.</summary>
    private readonly struct ChannelHandler<TItem, TConverter>(ChannelWriter<TItem> writer, CancellationToken stop) : IRecordHandler
        where TConverter : IRecordConverter<TItem>
    {
        public void OnRecord(int source, ReadOnlySpan<byte> record)
        {
            var item = TConverter.Convert(record);
            while (!writer.TryWrite(item))
            {
                var wait = writer.WaitToWriteAsync(stop);
                bool open = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
                if (!open) throw new ChannelClosedException();
            }
        }
    }
}

/// <summary>Turns a record (valid only during the call) into the item an async stream yields.</summary>
internal interface IRecordConverter<T>
{
    static abstract T Convert(ReadOnlySpan<byte> record);
}

internal readonly struct ValueConverter<T> : IRecordConverter<T> where T : unmanaged
{
    public static unsafe T Convert(ReadOnlySpan<byte> record)
    {
        if (record.Length < sizeof(T)) ThrowShort(record.Length);
        return MemoryMarshal.Read<T>(record);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static unsafe void ThrowShort(int length) =>
        throw new BpfFormatException("event record", $"a record of {length} bytes is shorter than {typeof(T).Name} ({sizeof(T)} bytes)");
}

internal readonly struct ArrayConverter : IRecordConverter<byte[]>
{
    public static byte[] Convert(ReadOnlySpan<byte> record) => record.ToArray();
}
