namespace Newsletter.Comparisons;

/// <summary>One broken rule, naming the field the way the JSON shape spells it (<c>tools[1].panelShipPercent</c>).</summary>
public sealed record ComparisonValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
