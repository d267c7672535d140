using System.Text;
using System.Text.Json;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Tests.Networks;

public class JsonNavTests
{
    private static readonly byte[][] Keys = [Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("b"), Encoding.UTF8.GetBytes("c")];

    [Fact]
    public void Fields_are_read_in_one_pass_as_lookups_would_find_them()
    {
        using var document = JsonDocument.Parse("""{"b":1,"x":true,"a":"first","c":null,"a":"last"}""");
        var fields = default(JsonFields);
        JsonNav.ReadFields(document.RootElement, Keys, fields);

        Assert.Equal("last", fields[0]!.Value.GetString()); // the later key wins
        Assert.Equal(1, fields[1]!.Value.GetInt32());
        Assert.Null(fields[2]); // null reads as absent
        Assert.Null(fields[3]); // no key for that slot
        Assert.Equal(JsonNav.Child(document.RootElement, "a")!.Value.GetString(), fields[0]!.Value.GetString());
    }

    [Fact]
    public void Children_are_safe_on_any_element()
    {
        using var document = JsonDocument.Parse("""{"m":{"k":"v","n":null},"s":"text"}""");
        var root = document.RootElement;
        Assert.Equal("v", JsonNav.Text(JsonNav.Path(root, "m", "k")));
        Assert.Equal("v", JsonNav.Text(JsonNav.Child(JsonNav.Child(root, "m"u8), "k"u8)));
        Assert.Null(JsonNav.Path(root, "m", "n"));
        Assert.Null(JsonNav.Path(root, "s", "k"));
        Assert.Null(JsonNav.Text(JsonNav.Child(root, "m")));
        Assert.Equal("a list", JsonNav.Describe(JsonValueKind.Array));
    }
}
