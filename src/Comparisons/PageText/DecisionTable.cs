namespace Newsletter.Comparisons;

/// <summary>The values of the page's Decision table, one column per tool (see <see cref="DecisionTableReader"/>).</summary>
internal sealed class DecisionTable
{
    public string?[] Categories { get; } = new string?[2];
    public string?[] Pricing { get; } = new string?[2];
    public string?[] BestFor { get; } = new string?[2];
    public string?[] Entry { get; } = new string?[2];
    public (Verdict? Verdict, int? Ship, int? Skip)[] Panel { get; } = new (Verdict?, int?, int?)[2];
    public (int? Votes, int? Percent)[] Community { get; } = new (int?, int?)[2];

    /// <summary>The card's own values win; the table fills what the card left empty.</summary>
    public Tool Fill(Tool tool, int column) => tool with
    {
        Category = tool.Category ?? Categories[column],
        Tagline = tool.Tagline ?? BestFor[column],
        PricingDetail = tool.PricingDetail ?? Pricing[column],
        EntryPrice = tool.EntryPrice ?? Entry[column],
        PanelVerdict = tool.PanelVerdict ?? Panel[column].Verdict,
        PanelShipVotes = tool.PanelShipVotes ?? Panel[column].Ship,
        PanelSkipVotes = tool.PanelSkipVotes ?? Panel[column].Skip,
        CommunityVotes = tool.CommunityVotes ?? Community[column].Votes,
        CommunityShipPercent = tool.CommunityShipPercent ?? Community[column].Percent,
    };
}
