using System.Text;
using System.Text.Json;
using Newsletter.Comparisons;

namespace Newsletter.Comparisons.Tests;

public class ComparisonValidatorTests
{
    private static Comparison Sample(string slug = "alpha-vs-beta") => ComparisonTestData.Sample(slug);

    private static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value, ComparisonJson.Options);

    private static ComparisonValidationException Invalid(Comparison c) =>
        Assert.Throws<ComparisonValidationException>(() => ComparisonValidator.EnsureValid(c));

    [Fact]
    public void A_valid_comparison_round_trips_through_json()
    {
        var parsed = ComparisonValidator.ParseJson(Json(Sample()));

        Assert.Equal("alpha-vs-beta", parsed.Slug);
        Assert.Equal(75, parsed.Tools[0].PanelShipPercent);
        Assert.Equal(Verdict.Skip, parsed.Tools[1].PanelVerdict);
        Assert.Equal(80, parsed.Reviewers[0].Takes[0].Score);
        Assert.Empty(ComparisonValidator.Validate(parsed));
    }

    [Fact]
    public void A_percentage_over_100_is_reported_on_its_field()
    {
        var c = Sample();
        c = c with { Tools = [c.Tools[0], c.Tools[1] with { PanelShipPercent = 140 }] };

        var e = Invalid(c);

        var error = Assert.Single(e.Errors);
        Assert.Equal("tools[1].panelShipPercent", error.Field);
        Assert.Contains("between 0 and 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_are_refused_on_their_field_but_tab_and_line_breaks_are_text()
    {
        var c = Sample();
        c = c with
        {
            Title = "Alpha\u0001Beta",
            Summary = "line one\r\nline two\tand a tab",
            Tools = [c.Tools[0] with { Tagline = "bell\u0007" }, c.Tools[1]],
        };

        var errors = Invalid(c).Errors;

        Assert.Equal(["title", "tools[0].tagline"], errors.Select(e => e.Field).ToList());
        Assert.Contains("U+0001", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("U+0007", errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_broken_rule_is_reported_with_its_field()
    {
        var c = Sample() with
        {
            Slug = "Alpha_Beta",
            Title = " ",
            Url = "ftp://tools.example/x",
            Tools = [new Tool { Name = "Alpha", CommunityShipPercent = -1 }],
            Reviewers = [new Reviewer { Persona = "", Takes = [new ReviewerTake { Score = 101, Quote = new string('x', 20_001) }] }],
        };

        var fields = Invalid(c).Errors.Select(e => e.Field).ToList();

        Assert.Equal(
            ["slug", "title", "url", "tools", "tools[0].communityShipPercent", "reviewers[0].persona", "reviewers[0].takes[0].score", "reviewers[0].takes[0].quote"],
            fields);
    }

    [Fact]
    public void A_reviewer_without_one_take_per_tool_is_reported()
    {
        var c = Sample() with { Reviewers = [new Reviewer { Persona = "Skeptic", Takes = [new ReviewerTake { Quote = "Only one." }] }] };

        var error = Assert.Single(Invalid(c).Errors);

        Assert.Equal("reviewers[0].takes", error.Field);
        Assert.Contains("one take per tool (2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slugs_longer_than_200_characters_and_nul_characters_are_rejected()
    {
        var c = Sample(new string('a', 201)) with { Category = "bad\0category" };

        Assert.Equal(["slug", "category"], Invalid(c).Errors.Select(e => e.Field));
    }

    [Fact]
    public void Markup_is_valid_text()
    {
        var c = Sample() with { Title = "<script>alert(1)</script> vs \"Beta\" & co" };

        Assert.Empty(ComparisonValidator.Validate(c));
    }

    [Fact]
    public void Malformed_json_names_the_line_and_position()
    {
        var json = "{\n  \"slug\": \"a-vs-b\",\n  \"title\": \"A vs B\",\n  \"tools\": [ oops ]\n}";

        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonValidator.ParseJson(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(4, e.Line);
        Assert.Equal("$.tools[0]", e.Path);
        Assert.StartsWith("line 4: malformed JSON at $.tools[0], position ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mistyped_member_names_its_json_path()
    {
        var json = """{"slug":"a-vs-b","title":"A vs B","publishedAt":"2026-01-01T00:00:00Z","tools":[{"name":"A"},{"name":"B","panelShipPercent":"lots"}],"reviewers":[]}""";

        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonValidator.ParseJson(Encoding.UTF8.GetBytes(json)));

        Assert.Equal("$.tools[1].panelShipPercent", e.Path);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void An_unknown_member_is_rejected_naming_it()
    {
        var json = """{"slug":"a-vs-b","title":"A vs B","publishedAt":"2026-01-01T00:00:00Z","tools":[{"name":"A","price":"Free"},{"name":"B"}],"reviewers":[]}""";

        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonValidator.ParseJson(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("price", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("$.tools[0]", e.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_member_is_rejected_naming_it()
    {
        var json = """{"title":"A vs B","publishedAt":"2026-01-01T00:00:00Z","tools":[{"name":"A"},{"name":"B"}],"reviewers":[]}""";

        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonValidator.ParseJson(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("'slug'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_nulls_for_required_members_are_reported_as_validation_errors()
    {
        var json = """{"slug":null,"title":"A vs B","publishedAt":"2026-01-01T00:00:00Z","tools":[{"name":"A"},null],"reviewers":[{"persona":"Builder","takes":null}]}""";

        var e = Assert.Throws<ComparisonValidationException>(() => ComparisonValidator.ParseJson(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(["slug", "tools[1]", "reviewers[0].takes"], e.Errors.Select(x => x.Field));
    }

    [Fact]
    public void A_json_null_document_is_rejected()
    {
        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonValidator.ParseJson("null"u8));

        Assert.Equal("$", e.Path);
    }
}
