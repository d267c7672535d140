using CsCheck;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Core.Tests.Allocation;

public class SparseBitmapTests
{
    [Fact]
    public void An_empty_huge_bitmap_allocates_no_chunk_and_finds_the_first_position()
    {
        var bitmap = new SparseBitmap(1UL << 48);
        Assert.Equal(0, bitmap.AllocatedChunks);
        Assert.Equal(123UL, bitmap.FindClear(123, (1UL << 48) - 1));
    }

    [Fact]
    public void Full_chunks_are_skipped_and_emptied_chunks_are_freed()
    {
        var bitmap = new SparseBitmap(3 * SparseBitmap.ChunkBits);
        for (ulong i = 0; i < SparseBitmap.ChunkBits; i++)
        {
            bitmap.Set(i);
        }

        Assert.Equal((ulong)SparseBitmap.ChunkBits, bitmap.FindClear(0, bitmap.Length - 1));
        Assert.Equal(1, bitmap.AllocatedChunks);
        for (ulong i = 0; i < SparseBitmap.ChunkBits; i++)
        {
            bitmap.Clear(i);
        }

        Assert.Equal(0, bitmap.AllocatedChunks);
        Assert.Equal(0UL, bitmap.Count);
    }

    [Fact]
    public void Searches_cross_chunk_boundaries_and_stop_at_the_end_of_the_window()
    {
        var bitmap = new SparseBitmap(4 * SparseBitmap.ChunkBits);
        const ulong boundary = SparseBitmap.ChunkBits;
        for (var p = boundary - 70; p < boundary + 70; p++)
        {
            bitmap.Set(p);
        }

        Assert.Equal(boundary + 70, bitmap.FindClear(boundary - 70, bitmap.Length - 1));
        Assert.Null(bitmap.FindClear(boundary - 70, boundary + 69));
        Assert.Equal(boundary - 71, bitmap.FindClear(boundary - 71, boundary));
        Assert.Null(bitmap.FindClear(5, 4));
        Assert.Equal(2, bitmap.AllocatedChunks);
    }

    [Fact]
    public void A_chunk_costs_one_bit_per_position()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var bitmap = new SparseBitmap(1UL << 48);
        bitmap.Set((1UL << 47) + 12345);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(allocated, SparseBitmap.ChunkBits / 8, (SparseBitmap.ChunkBits / 8) + 1024);
    }

    [Fact]
    public void A_partial_last_chunk_is_full_at_its_own_length()
    {
        var bitmap = new SparseBitmap(70);
        for (ulong i = 0; i < 70; i++)
        {
            Assert.True(bitmap.Set(i));
        }

        Assert.Null(bitmap.FindClear(0, 69));
        Assert.False(bitmap.Set(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.Set(70));
    }

    [Fact]
    public void Behaves_like_a_set_for_random_operations()
    {
        const ulong length = (3 * SparseBitmap.ChunkBits) + 77;
        var op = Gen.Select(Gen.Int[0, 2], Gen.ULong[0, length - 1], Gen.ULong[0, length - 1]);
        op.Array[1, 300].Sample(ops =>
        {
            var bitmap = new SparseBitmap(length);
            var model = new SortedSet<ulong>();
            foreach (var (kind, a, b) in ops)
            {
                switch (kind)
                {
                    case 0:
                        if (bitmap.Set(a) != model.Add(a))
                        {
                            return false;
                        }

                        break;
                    case 1:
                        if (bitmap.Clear(a) != model.Remove(a))
                        {
                            return false;
                        }

                        break;
                    default:
                        var (from, to) = a <= b ? (a, b) : (b, a);
                        ulong? expected = null;
                        for (var p = from; p <= to; p++)
                        {
                            if (!model.Contains(p))
                            {
                                expected = p;
                                break;
                            }
                        }

                        if (bitmap.FindClear(from, to) != expected)
                        {
                            return false;
                        }

                        break;
                }
            }

            return bitmap.Count == (ulong)model.Count && model.All(bitmap.IsSet);
        }, iter: 300);
    }
}
