using System.Buffers;

namespace Newsletter.Sender.Editions;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool, returned on dispose. Each recipient's
/// message (40-100 KB) is written into one of these instead of a fresh array: fresh arrays that size land on the
/// large object heap and cost a gen-2 collection every few hundred messages.
/// </summary>
public sealed class PooledBufferWriter(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256, initialCapacity));
    private int written;

    public ReadOnlyMemory<byte> WrittenMemory => buffer.AsMemory(0, written);

    public int WrittenCount => written;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (written + count > buffer.Length) throw new InvalidOperationException("advanced past the end of the buffer");
        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsSpan(written);
    }

    private void Ensure(int sizeHint)
    {
        var needed = written + Math.Max(1, sizeHint);
        if (needed <= buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.AsSpan(0, written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
    }

    public void Dispose()
    {
        var b = buffer;
        buffer = [];
        written = 0;
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }
}
